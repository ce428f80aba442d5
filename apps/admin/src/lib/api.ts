import type { components, operations } from './api-schema';
import type {
  ApiKey,
  Attachment,
  AuditEntry,
  ChangeEvent,
  CreatedApiKey,
  DocumentDraft,
  DocumentVersion,
  Job,
  KbDocument,
  LoginResponse,
  Me,
  Page,
  Role,
  Stats,
  Macro,
  Ticket,
  TicketActivity,
  TicketComment,
  TicketView,
  TicketViewQuery,
  User,
} from './types';

type Schemas = components['schemas'];

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

/** A file download with the session's token (a plain link cannot carry it). */
async function requestBlob(path: string): Promise<Blob> {
  const headers: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  const res = await fetch(buildUrl(path), { headers });
  if (!res.ok) {
    let problem: Record<string, unknown> = {};
    try {
      problem = (await res.json()) as Record<string, unknown>;
    } catch {
      // not a problem document
    }
    if (res.status === 401) onUnauthorized?.();
    throw new ApiError(res.status, { title: res.statusText, ...problem });
  }
  return res.blob();
}

export type AttachmentTarget = { kind: 'ticket'; number: number } | { kind: 'document'; id: string };
const attachmentsPath = (t: AttachmentTarget) =>
  t.kind === 'ticket'
    ? `/tickets/${t.number}/attachments`
    : `/documents/${encodeURIComponent(t.id)}/attachments`;

const ifMatch = (version: number | undefined): Record<string, string> =>
  version === undefined ? {} : { 'If-Match': String(version) };

export interface ListParams {
  limit?: number;
  cursor?: string | null;
}

/**
 * The ticket list's filters, named by the server's OpenAPI document (a new filter needs no edit
 * here); values are the strings the filter form and the URL hold, checked by the server.
 */
export type TicketListFilters = {
  [
    K in Exclude<
      keyof NonNullable<operations['TicketsController_list']['parameters']['query']>,
      keyof ListParams
    >
  ]?: string;
};

// Request bodies, as the server's OpenAPI document describes them.
/** The editor's fields; the slug is given once, when the document is created. */
export type DocumentInput = Omit<Schemas['CreateDocumentDto'], 'slug'> &
  Partial<Pick<Schemas['CreateDocumentDto'], 'slug'>>;
export type TicketInput = Schemas['CreateTicketDto'];
export type TicketChanges = Omit<Schemas['UpdateTicketDto'], 'expectedVersion'>;

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
  listDrafts: (p: ListParams & { documentId?: string }) =>
    request<Page<DocumentDraft>>('GET', '/document-drafts', { query: { ...p } }),
  getDraft: (id: string) => request<DocumentDraft>('GET', `/document-drafts/${encodeURIComponent(id)}`),
  publishDraft: (id: string, expectedVersion: number) =>
    request<KbDocument>('POST', `/document-drafts/${encodeURIComponent(id)}/publish`, {
      body: { expectedVersion },
    }),
  discardDraft: (id: string) => request<void>('DELETE', `/document-drafts/${encodeURIComponent(id)}`),
  listVersions: (id: string, p: ListParams = {}) =>
    request<Page<DocumentVersion>>('GET', `/documents/${encodeURIComponent(id)}/versions`, {
      query: { limit: 100, ...p },
    }),

  listTickets: (p: ListParams & TicketListFilters) =>
    request<Page<Ticket>>('GET', '/tickets', { query: { ...p } }),
  ticketActivity: (n: number) =>
    request<{ items: TicketActivity[]; truncated: boolean }>('GET', `/tickets/${n}/activity`),

  listTicketViews: () => request<{ items: TicketView[] }>('GET', '/ticket-views'),
  getTicketView: (id: string) => request<TicketView>('GET', `/ticket-views/${encodeURIComponent(id)}`),
  createTicketView: (input: { name: string; query: TicketViewQuery; shared: boolean }) =>
    request<TicketView>('POST', '/ticket-views', { body: input }),
  updateTicketView: (
    id: string,
    version: number,
    changes: { name?: string; query?: TicketViewQuery; shared?: boolean },
  ) =>
    request<TicketView>('PATCH', `/ticket-views/${encodeURIComponent(id)}`, {
      body: changes,
      headers: ifMatch(version),
    }),
  deleteTicketView: (id: string) => request<void>('DELETE', `/ticket-views/${encodeURIComponent(id)}`),

  previewArticle: (input: {
    title: string;
    body: string;
    slug?: string;
    tags: string[];
    collection?: string | null;
  }) => request<{ html: string }>('POST', '/help/preview', { body: input }),

  listAttachments: (t: AttachmentTarget) => request<{ items: Attachment[] }>('GET', attachmentsPath(t)),
  uploadAttachment: (t: AttachmentTarget, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<Attachment>('POST', attachmentsPath(t), { body: form });
  },
  downloadAttachment: (a: Attachment) => requestBlob(`/attachments/${encodeURIComponent(a.id)}`),
  deleteAttachment: (a: Attachment) => request<void>('DELETE', `/attachments/${encodeURIComponent(a.id)}`),

  listMacros: () => request<{ items: Macro[] }>('GET', '/macros'),
  createMacro: (input: { name: string; body: string }) => request<Macro>('POST', '/macros', { body: input }),
  updateMacro: (id: string, version: number, changes: { name?: string; body?: string }) =>
    request<Macro>('PATCH', `/macros/${encodeURIComponent(id)}`, {
      body: changes,
      headers: ifMatch(version),
    }),
  deleteMacro: (id: string) => request<void>('DELETE', `/macros/${encodeURIComponent(id)}`),
  renderMacro: (id: string, ticket: number) =>
    request<{ body: string }>('POST', `/macros/${encodeURIComponent(id)}/render`, { body: { ticket } }),
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
  listEvents: (p: NonNullable<operations['EventsController_list']['parameters']['query']>) =>
    request<Page<ChangeEvent>>('GET', '/events', { query: { ...p } }),

  importDocuments: (payload: { documents: unknown[] } | FormData) =>
    request<Job>('POST', '/imports', { body: payload }),
  getJob: (id: string) => request<Job>('GET', `/jobs/${encodeURIComponent(id)}`),
};
