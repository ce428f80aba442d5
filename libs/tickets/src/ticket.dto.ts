import type { TicketPriorityName, TicketStatusName } from './ticket-workflow';

export interface UserRefDto {
  id: string;
  email: string;
  name: string;
}

export interface TicketDto {
  id: string;
  number: number;
  title: string;
  description: string;
  status: TicketStatusName;
  priority: TicketPriorityName;
  requesterId: string;
  requester: UserRefDto | null;
  assigneeId: string | null;
  assignee: UserRefDto | null;
  tags: string[];
  version: number;
  firstResponseAt: string | null;
  slaDueAt: string | null;
  slaBreachedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TicketCommentDto {
  id: string;
  ticketId: string;
  ticketNumber: number;
  body: string;
  internal: boolean;
  authorId: string;
  author: UserRefDto | null;
  createdAt: string;
}

export interface TicketWithCommentsDto extends TicketDto {
  /** Oldest first; internal comments only for callers with tickets:write. */
  comments: TicketCommentDto[];
}

type UserRefRow = { id: string; email: string; name: string } | null | undefined;

export interface TicketRow {
  id: string;
  number: number;
  title: string;
  description: string;
  status: TicketStatusName;
  priority: TicketPriorityName;
  requesterId: string;
  assigneeId: string | null;
  tags: string[];
  version: number;
  firstResponseAt: Date | null;
  slaDueAt: Date | null;
  slaBreachedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  requester?: UserRefRow;
  assignee?: UserRefRow;
}

export interface TicketCommentRow {
  id: string;
  ticketId: string;
  authorId: string;
  body: string;
  internal: boolean;
  createdAt: Date;
  author?: UserRefRow;
}

const ref = (u: UserRefRow): UserRefDto | null => (u ? { id: u.id, email: u.email, name: u.name } : null);
const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export const toTicketDto = (t: TicketRow): TicketDto => ({
  id: t.id,
  number: t.number,
  title: t.title,
  description: t.description,
  status: t.status,
  priority: t.priority,
  requesterId: t.requesterId,
  requester: ref(t.requester),
  assigneeId: t.assigneeId,
  assignee: ref(t.assignee),
  tags: t.tags,
  version: t.version,
  firstResponseAt: iso(t.firstResponseAt),
  slaDueAt: iso(t.slaDueAt),
  slaBreachedAt: iso(t.slaBreachedAt),
  resolvedAt: iso(t.resolvedAt),
  closedAt: iso(t.closedAt),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const toCommentDto = (c: TicketCommentRow, ticketNumber: number): TicketCommentDto => ({
  id: c.id,
  ticketId: c.ticketId,
  ticketNumber,
  body: c.body,
  internal: c.internal,
  authorId: c.authorId,
  author: ref(c.author),
  createdAt: c.createdAt.toISOString(),
});
