export type Role = 'admin' | 'agent' | 'viewer';
export type Scope =
  | 'kb:read'
  | 'kb:write'
  | 'tickets:read'
  | 'tickets:write'
  | 'users:read'
  | 'users:write'
  | 'keys:write'
  | 'admin';
export const ALL_SCOPES: Scope[] = [
  'kb:read',
  'kb:write',
  'tickets:read',
  'tickets:write',
  'users:read',
  'users:write',
  'keys:write',
  'admin',
];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface LoginResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  scopes: string[];
}

export type DocumentStatus = 'draft' | 'published' | 'archived';
export const DOCUMENT_STATUSES: DocumentStatus[] = ['draft', 'published', 'archived'];

export interface KbDocument {
  id: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatus;
  version: number;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
  snippet?: string;
  score?: number;
}

export interface DocumentVersion {
  version: number;
  title: string;
  body: string;
  tags: string[];
  status: DocumentStatus;
  createdAt: string;
  authorId: string | null;
}

export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export const TICKET_STATUSES: TicketStatus[] = ['open', 'pending', 'resolved', 'closed'];
export const TICKET_PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

export interface UserRef {
  id: string;
  email: string;
  name: string;
}

export interface Ticket {
  id: string;
  number: number;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  requesterId: string;
  requester?: UserRef | null;
  assigneeId: string | null;
  assignee?: UserRef | null;
  tags: string[];
  version: number;
  firstResponseAt: string | null;
  slaDueAt: string | null;
  slaBreachedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TicketComment {
  id: string;
  body: string;
  internal: boolean;
  authorId: string | null;
  author?: UserRef | null;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  version?: number;
  createdAt?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  secret: string;
}

export interface AuditEntry {
  id: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  channel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  detail: unknown;
  durationMs: number | null;
  createdAt: string;
}

export interface ChangeEvent {
  id: number;
  topic: string;
  event: string;
  entityId: string;
  data: unknown;
  at: string;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed';

export interface Job {
  id: string;
  state: JobState;
  progress: number;
  result?: {
    created: number;
    updated: number;
    failed: number;
    errors: { item: string; reason: string }[];
  };
  error?: string;
}

export interface Stats {
  documents: Record<DocumentStatus, number>;
  tickets: { openByPriority: Record<TicketPriority, number>; slaBreached: number };
  ticketsPerDay: { day: string; opened: number; resolved: number }[];
  searchesPerDay: { day: string; count: number }[];
}
