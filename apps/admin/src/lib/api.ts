import type {
  ApiKey,
  AuditEntry,
  ChangeEvent,
  CreatedApiKey,
  DocumentStatus,
  DocumentVersion,
  Job,
  KbDocument,
  LoginResponse,
  Me,
  Page,
  Role,
  Stats,
  Ticket,
  TicketComment,
  TicketPriority,
  TicketStatus,
  User,
} from './types';

export interface FieldError {
  field: string;
  message: string;
}

/** An error answer from the API, read from its application/problem+json body. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    const title = typeof body.title === 'string' ? body.title : `Request failed (${status})`;
    const detail = typeof body.detail === 'string' && body.detail ? body.detail : title;
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    this.body = body;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.errors.length)
      return `${err.detail}: ${err.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`;
    return err.detail;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not treat a 401 as an expired session (used by sign-in). */
  anonymous?: boolean;
}

let accessToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    ...opts.headers,
  };
  if (accessToken && !opts.anonymous) headers.Authorization = `Bearer ${accessToken}`;
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), { method, headers, body, signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, {
      title: 'Network error',
      detail: 'Could not reach the server. Check your connection.',
    });
  }

  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    const problem = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    if (res.status === 401 && !opts.anonymous) onUnauthorized?.();
    throw new ApiError(res.status, { title: res.statusText, ...problem });
  }
  return parsed as T;
}

const ifMatch = (version: number | undefined): Record<string, string> =>
  version === undefined ? {} : { 'If-Match': String(version) };

export interface ListParams {
  limit?: number;
  cursor?: string | null;
}

export interface DocumentInput {
  slug?: string;
  title: string;
  body: string;
  tags: string[];
  collection?: string | null;
  status: DocumentStatus;
}

export interface TicketInput {
  title: string;
  description: string;
  priority: TicketPriority;
  requesterEmail: string;
  tags: string[];
}

export interface TicketChanges {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  tags?: string[];
}

/** Search results may name the document `documentId` and hold one hit per passage. */
type SearchHit = Omit<KbDocument, 'id'> & { id?: string; documentId?: string };

function normalizeDocumentPage(page: Page<SearchHit>): Page<KbDocument> {
  const seen = new Set<string>();
  const items: KbDocument[] = [];
  for (const hit of page.items) {
    const id = hit.id ?? hit.documentId ?? '';
    if (seen.has(id)) continue;
    seen.add(id);
    items.push({ ...hit, id, tags: hit.tags ?? [] });
  }
  return { items, nextCursor: page.nextCursor };
}

export const api = {
  login: (email: string, password: string) =>
    request<LoginResponse>('POST', '/auth/login', { body: { email, password }, anonymous: true }),
  me: () => request<Me>('GET', '/auth/me'),
  stats: () => request<Stats>('GET', '/stats'),

  listDocuments: async (p: ListParams & { q?: string; status?: string; tag?: string; collection?: string }) =>
    normalizeDocumentPage(await request<Page<SearchHit>>('GET', '/documents', { query: { ...p } })),
  getDocument: (id: string) => request<KbDocument>('GET', `/documents/${encodeURIComponent(id)}`),
  createDocument: (input: DocumentInput) => request<KbDocument>('POST', '/documents', { body: input }),
  updateDocument: (id: string, version: number, changes: Partial<DocumentInput>) =>
    request<KbDocument>('PATCH', `/documents/${encodeURIComponent(id)}`, {
      body: changes,
      headers: ifMatch(version),
    }),
  deleteDocument: (id: string) => request<void>('DELETE', `/documents/${encodeURIComponent(id)}`),
  listVersions: (id: string, p: ListParams = {}) =>
    request<Page<DocumentVersion>>('GET', `/documents/${encodeURIComponent(id)}/versions`, {
      query: { limit: 100, ...p },
    }),

  listTickets: (
    p: ListParams & {
      status?: string;
      priority?: string;
      assigneeId?: string;
      q?: string;
      requesterEmail?: string;
    },
  ) => request<Page<Ticket>>('GET', '/tickets', { query: { ...p } }),
  getTicket: (n: number | string) => request<Ticket>('GET', `/tickets/${n}`),
  createTicket: (input: TicketInput) => request<Ticket>('POST', '/tickets', { body: input }),
  updateTicket: (n: number, version: number, changes: TicketChanges) =>
    request<Ticket>('PATCH', `/tickets/${n}`, { body: changes, headers: ifMatch(version) }),
  listComments: (n: number, p: ListParams = {}) =>
    request<Page<TicketComment>>('GET', `/tickets/${n}/comments`, { query: { limit: 100, ...p } }),
  addComment: (n: number, body: string, internal: boolean) =>
    request<TicketComment>('POST', `/tickets/${n}/comments`, { body: { body, internal } }),

  listUsers: (p: ListParams & { q?: string; role?: string } = {}) =>
    request<Page<User>>('GET', '/users', { query: { ...p } }),
  createUser: (input: { email: string; name: string; role: Role; password: string }) =>
    request<User>('POST', '/users', { body: input }),
  updateUser: (
    id: string,
    version: number | undefined,
    changes: { name?: string; role?: Role; active?: boolean },
  ) =>
    request<User>('PATCH', `/users/${encodeURIComponent(id)}`, { body: changes, headers: ifMatch(version) }),

  listApiKeys: (p: ListParams = {}) => request<Page<ApiKey>>('GET', '/api-keys', { query: { ...p } }),
  createApiKey: (name: string, scopes: string[]) =>
    request<CreatedApiKey>('POST', '/api-keys', { body: { name, scopes } }),
  revokeApiKey: (id: string) => request<void>('DELETE', `/api-keys/${encodeURIComponent(id)}`),

  listAudit: (p: ListParams & { actorId?: string; action?: string; outcome?: string }) =>
    request<Page<AuditEntry>>('GET', '/audit', { query: { ...p } }),
  listEvents: (p: { after?: number; limit?: number; topic?: string }) =>
    request<Page<ChangeEvent>>('GET', '/events', { query: { ...p } }),

  importDocuments: (payload: { documents: unknown[] } | FormData) =>
    request<Job>('POST', '/imports', { body: payload }),
  getJob: (id: string) => request<Job>('GET', `/jobs/${encodeURIComponent(id)}`),
};
