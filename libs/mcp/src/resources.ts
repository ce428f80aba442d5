import type { ReadResourceResult, Resource } from '@modelcontextprotocol/server';
import {
  assertScopes,
  decodeCursor,
  encodeCursor,
  hasScope,
  NotFoundError,
  type Principal,
  type Scope,
} from '@app/core';
import { documentUri } from '@app/knowledge';
import type { McpDomain } from './domain';
import { ticketUri, toTicketWithCommentsOut, toUserOut, userUri } from './schemas';

export type ResourceKind = 'documents' | 'tickets' | 'users';

export interface ResourceTemplateDef {
  kind: ResourceKind;
  name: string;
  title: string;
  uriTemplate: string;
  /** The template's one variable. */
  variable: 'slug' | 'number' | 'id';
  mimeType: string;
  description: string;
  scope: Scope;
}

export const RESOURCE_TEMPLATES: ResourceTemplateDef[] = [
  {
    kind: 'documents',
    name: 'document',
    title: 'Knowledge-base document',
    uriTemplate: 'kb://documents/{slug}',
    variable: 'slug',
    mimeType: 'text/markdown',
    description: 'A knowledge-base document as Markdown, addressed by slug.',
    scope: 'kb:read',
  },
  {
    kind: 'tickets',
    name: 'ticket',
    title: 'Support ticket',
    uriTemplate: 'kb://tickets/{number}',
    variable: 'number',
    mimeType: 'application/json',
    description: 'A support ticket with its comments, as JSON, addressed by number.',
    scope: 'tickets:read',
  },
  {
    kind: 'users',
    name: 'user',
    title: 'User',
    uriTemplate: 'kb://users/{id}',
    variable: 'id',
    mimeType: 'application/json',
    description: 'A person (agent, admin or requester), as JSON, addressed by id.',
    scope: 'users:read',
  },
];

const TEMPLATE = Object.fromEntries(RESOURCE_TEMPLATES.map((t) => [t.kind, t])) as Record<
  ResourceKind,
  ResourceTemplateDef
>;

const URI = /^kb:\/\/(documents|tickets|users)\/([^/?#]+)$/;

/** No slug, ticket number or user id contains a control character (and Postgres text cannot hold NUL). */
const hasControl = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

/** Splits `kb://<kind>/<key>`; null for anything else, including keys that decode to control characters. */
export function parseResourceUri(uri: string): { kind: ResourceKind; key: string } | null {
  const m = URI.exec(uri);
  if (!m) return null;
  let key: string;
  try {
    key = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  if (hasControl(key)) return null;
  return { kind: m[1] as ResourceKind, key };
}

export const resourceScope = (kind: ResourceKind): Scope => TEMPLATE[kind].scope;

const ticketNumber = (key: string): number => {
  if (!/^\d{1,9}$/.test(key)) throw new NotFoundError('ticket', key);
  return Number(key);
};

export async function readResource(
  domain: McpDomain,
  uri: string,
  principal: Principal,
): Promise<ReadResourceResult> {
  const parsed = parseResourceUri(uri);
  if (!parsed) throw new NotFoundError('resource', uri);
  assertScopes(principal, [resourceScope(parsed.kind)]);
  switch (parsed.kind) {
    case 'documents': {
      const d = await domain.documents.getBySlug(parsed.key);
      return {
        contents: [
          {
            uri: documentUri(d.slug),
            mimeType: 'text/markdown',
            text: d.body,
            _meta: { title: d.title, version: d.version, status: d.status, id: d.id },
          },
        ],
      };
    }
    case 'tickets': {
      const t = await domain.tickets.get(ticketNumber(parsed.key), principal);
      return {
        contents: [
          {
            uri: ticketUri(t.number),
            mimeType: 'application/json',
            text: JSON.stringify(toTicketWithCommentsOut(t)),
          },
        ],
      };
    }
    case 'users': {
      const u = await domain.users.get(parsed.key);
      return {
        contents: [{ uri: userUri(u.id), mimeType: 'application/json', text: JSON.stringify(toUserOut(u)) }],
      };
    }
  }
}

type ListCursor = { k: number; c: string | null };
const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as ListCursor).k) &&
  ((v as ListCursor).c === null || typeof (v as ListCursor).c === 'string');

export const RESOURCE_PAGE_SIZE = 50;
const ORDER: ResourceKind[] = ['documents', 'tickets', 'users'];

/**
 * One page of `resources/list`: documents (newest change first), then tickets (newest first),
 * then users, each only when the caller's scopes allow it. The cursor is opaque to clients.
 */
export async function listResources(
  domain: McpDomain,
  principal: Principal,
  cursor: string | undefined,
  pageSize = RESOURCE_PAGE_SIZE,
): Promise<{ resources: Resource[]; nextCursor?: string }> {
  let pos = decodeCursor(cursor, isListCursor) ?? { k: 0, c: null };
  const resources: Resource[] = [];
  while (pos.k < ORDER.length && resources.length < pageSize) {
    const kind = ORDER[pos.k];
    if (!hasScope(principal, resourceScope(kind))) {
      pos = { k: pos.k + 1, c: null };
      continue;
    }
    const limit = pageSize - resources.length;
    const page = await listKind(domain, kind, principal, limit, pos.c);
    resources.push(...page.items);
    pos = page.nextCursor ? { k: pos.k, c: page.nextCursor } : { k: pos.k + 1, c: null };
  }
  const more = pos.k < ORDER.length && ORDER.slice(pos.k).some((k) => hasScope(principal, resourceScope(k)));
  return more ? { resources, nextCursor: encodeCursor(pos) } : { resources };
}

async function listKind(
  domain: McpDomain,
  kind: ResourceKind,
  principal: Principal,
  limit: number,
  cursor: string | null,
): Promise<{ items: Resource[]; nextCursor: string | null }> {
  switch (kind) {
    case 'documents': {
      const page = await domain.documents.list({ limit, cursor });
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((d) => ({
          uri: documentUri(d.slug),
          name: d.slug,
          title: d.title,
          description: `Knowledge-base document "${d.title}" (${d.status}, version ${d.version})`,
          mimeType: 'text/markdown',
        })),
      };
    }
    case 'tickets': {
      const page = await domain.tickets.list({ limit, cursor }, principal);
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((t) => ({
          uri: ticketUri(t.number),
          name: `ticket-${t.number}`,
          title: `#${t.number} ${t.title}`,
          description: `Support ticket #${t.number} (${t.status}, ${t.priority})`,
          mimeType: 'application/json',
        })),
      };
    }
    case 'users': {
      const page = await domain.users.list({ limit, cursor });
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((u) => ({
          uri: userUri(u.id),
          name: u.email,
          title: u.name,
          description: `${u.role} ${u.name} <${u.email}>`,
          mimeType: 'application/json',
        })),
      };
    }
  }
}

const MAX_COMPLETIONS = 20;

/** Completion values for a template variable or a prompt argument. */
export async function completeResourceValue(
  domain: McpDomain,
  kind: ResourceKind,
  value: string,
  principal: Principal,
): Promise<string[]> {
  if (!hasScope(principal, resourceScope(kind))) return [];
  switch (kind) {
    case 'documents': {
      return domain.documents.slugsStartingWith(value, MAX_COMPLETIONS);
    }
    case 'tickets': {
      if (value !== '' && !/^\d{1,9}$/.test(value)) return [];
      return (await domain.tickets.numbersStartingWith(value, MAX_COMPLETIONS)).map(String);
    }
    case 'users': {
      const page = await domain.users.list({ query: value || undefined, limit: MAX_COMPLETIONS });
      const ids = page.items.map((u) => u.id);
      return value
        ? [...ids.filter((id) => id.startsWith(value)), ...ids.filter((id) => !id.startsWith(value))]
        : ids;
    }
  }
}
