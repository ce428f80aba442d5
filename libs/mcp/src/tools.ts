import { z } from 'zod';
import type { ToolAnnotations } from '@modelcontextprotocol/server';
import { InvalidError, type Principal, type Scope, uuidSchema } from '@app/core';
import { createDocumentSchema, documentFields, helpArticleUrl, updateDocumentSchema } from '@app/knowledge';
import {
  commentInputSchema,
  createTicketSchema,
  expectedVersionSchema,
  searchTicketsSchema,
  updateTicketSchema,
} from '@app/tickets';
import { roleSchema } from '@app/users';
import type { McpDomain } from './domain';
import {
  commentOut,
  documentOut,
  editedDocumentOut,
  editedOut,
  searchResultOut,
  ticketOut,
  ticketWithCommentsOut,
  toCommentOut,
  toDocumentOut,
  toSearchResultOut,
  toTicketOut,
  toTicketWithCommentsOut,
  toUserOut,
  toVersionOut,
  toVersionSummaryOut,
  userOut,
  versionOut,
  versionSummaryOut,
} from './schemas';

export interface ToolContext {
  principal: Principal;
  signal: AbortSignal;
  /** Reports progress when the caller asked for it (a progressToken); a no-op otherwise. */
  progress(done: number, total: number, message: string): Promise<void>;
}

type Shape = z.ZodRawShape;

export interface ToolDef<I extends Shape = Shape, O extends Shape = Shape> {
  name: string;
  title: string;
  description: string;
  /** Needed scope; null: any caller of /mcp. */
  scope: Scope | null;
  input: z.ZodObject<I>;
  output: z.ZodObject<O>;
  annotations: ToolAnnotations;
  /**
   * Arguments mirrored into `Mcp-Param-<Header>` request headers on 2026-07-28 (`x-mcp-header`
   * in the input schema), so gateways can route on them: argument name → header suffix.
   */
  headers?: Record<string, string>;
  run(domain: McpDomain, args: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<z.output<z.ZodObject<O>>>;
  /** Readable rendering of the structured result (the text content block). */
  render(out: z.output<z.ZodObject<O>>): string;
}

const tool = <I extends Shape, O extends Shape>(def: ToolDef<I, O>): ToolDef => def as unknown as ToolDef;

const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
/** Additive writes (create, comment): nothing existing is overwritten. */
const WRITE = (idempotent: boolean): ToolAnnotations => ({
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: idempotent,
  openWorldHint: false,
});
/** Updates overwrite content and can close or archive: destructive in MCP's sense. */
const UPDATE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};
/**
 * A comment is additive, but its optional `status` can resolve or close the ticket, which is not:
 * destructive, and not idempotent (each call adds a comment).
 */
const COMMENT: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

const cursor = z
  .string()
  .max(500)
  .optional()
  .describe('opaque cursor: the nextCursor of the previous page (omit for the first page)');
const nextCursor = z.string().optional().describe('present when more results follow; pass it as cursor');

/** "age" of an ISO instant for text renderings: 3d, 5h, 12m. */
const ago = (iso: string, now = Date.now()): string => {
  const m = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  return m >= 2880 ? `${Math.round(m / 1440)}d` : m >= 120 ? `${Math.round(m / 60)}h` : `${m}m`;
};
const until = (iso: string, now = Date.now()): string => {
  const m = Math.round((Date.parse(iso) - now) / 60_000);
  const abs = Math.abs(m);
  const span =
    abs >= 2880 ? `${Math.round(abs / 1440)}d` : abs >= 120 ? `${Math.round(abs / 60)}h` : `${abs}m`;
  return m >= 0 ? `in ${span}` : `${span} ago`;
};

const ticketLine = (t: z.output<typeof ticketOut>): string => {
  const sla = t.slaBreachedAt
    ? 'SLA BREACHED'
    : t.slaDueAt && !t.firstResponseAt
      ? `SLA due ${until(t.slaDueAt)}`
      : 'no SLA pending';
  return (
    `#${t.number} [${t.status}, ${t.priority}] ${t.title} — from ${t.requester?.email ?? t.requesterId}, ` +
    `${ago(t.createdAt)} old, updated ${ago(t.updatedAt)} ago, ${sla}, ` +
    `assignee ${t.assignee?.email ?? 'none'}, tags ${t.tags.join(',') || '-'} (version ${t.version})`
  );
};

/**
 * A document named by id or by slug: the two forms sit on the property (anyOf), never at the
 * schema's top level, which model APIs refuse in a tool's input schema.
 */
const documentKey = z
  .union(
    [uuidSchema.meta({ description: 'document id' }), documentFields.slug.meta({ description: 'slug' })],
    {
      error: 'must be a document id (UUID) or a slug such as "reset-password"',
    },
  )
  .describe('document id (UUID) or slug');
const tags = z.array(z.string().min(1).max(50)).max(20);
const ticketNumber = z.number().int().min(1).max(2_147_483_647).describe('ticket number, e.g. 42');
const limit = (max: number, def: number) => z.number().int().min(1).max(max).default(def);
const json = (v: unknown): string => JSON.stringify(v, null, 2);

/** Thrown when the client cancelled the call; the SDK sends no reply for a cancelled request. */
export class CallCancelledError extends Error {
  override readonly name = 'CallCancelledError';
  constructor() {
    super('the request was cancelled by the client');
  }
}

const throwIfAborted = (signal: AbortSignal) => {
  if (signal.aborted) throw new CallCancelledError();
};

const documentText = (d: z.output<typeof documentOut>): string =>
  [
    `Document ${d.uri} (id ${d.id}, version ${d.version}, status ${d.status})`,
    `Title: ${d.title}`,
    `Tags: ${d.tags.join(', ') || '-'}; collection: ${d.collection ?? '-'}`,
    '--- Markdown body (document content) ---',
    d.body,
  ].join('\n');

/** The tools of contract section 5: names and argument names are part of the public contract. */
export const TOOLS: ToolDef[] = [
  tool({
    name: 'whoami',
    title: 'Who am I',
    description: 'The caller: user id, email, name, role and the scopes this connection may use.',
    scope: null,
    input: z.object({}),
    output: z.object({
      id: z.string().describe('user id (empty for the system)'),
      email: z.string(),
      name: z.string(),
      role: z.string().describe('admin, agent or viewer'),
      scopes: z.array(z.string()).describe('scopes of this key, token or sign-in'),
      via: z.string().describe('how the caller authenticated: user, api_key or oauth'),
    }),
    annotations: READ,
    async run(_domain, _args, ctx) {
      const p = ctx.principal;
      return {
        id: p.userId ?? '',
        email: p.email ?? '',
        name: p.name,
        role: p.role ?? '',
        scopes: [...p.scopes],
        via: p.oauthClientId ? 'oauth' : p.kind,
      };
    },
    render: (me) => `${me.name} <${me.email}>, role ${me.role}, id ${me.id}; scopes ${me.scopes.join(' ')}`,
  }),
  tool({
    name: 'search_knowledge',
    title: 'Search the knowledge base',
    description:
      'Ranked passages from published knowledge-base documents that match a question, with matches highlighted.',
    scope: 'kb:read',
    input: z.object({
      query: z.string().min(1).max(1000).describe('question or keywords'),
      limit: limit(50, 5).describe('maximum number of results (default 5)'),
      tags: tags.optional().describe('only documents carrying all of these tags'),
      collection: z.string().min(1).max(120).optional().describe('only documents in this collection'),
      cursor,
    }),
    output: z.object({ results: z.array(searchResultOut), nextCursor }),
    annotations: READ,
    headers: { collection: 'Collection' },
    async run(domain, args, ctx) {
      await ctx.progress(0, 2, 'searching');
      const page = await domain.search.search({
        query: args.query,
        limit: args.limit,
        tags: args.tags,
        collection: args.collection,
        status: 'published',
        cursor: args.cursor ?? null,
      });
      throwIfAborted(ctx.signal);
      await ctx.progress(2, 2, `${page.items.length} results`);
      return {
        results: page.items.map((h) => toSearchResultOut(h, helpArticleUrl(domain.config.publicUrl, h.slug))),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
    render: (out) =>
      (out.results.length === 0
        ? 'No published document matches this query.'
        : out.results
            .map((r, i) => `${i + 1}. ${r.title} <${r.url}> (${r.uri}, score ${r.score})\n   ${r.snippet}`)
            .join('\n')) + (out.nextCursor ? `\nMore results: cursor ${out.nextCursor}` : ''),
  }),
  tool({
    name: 'get_document',
    title: 'Get a document',
    description: 'One knowledge-base document by id or slug, with its Markdown body and version.',
    scope: 'kb:read',
    // "id or slug" is checked when called: a top-level oneOf would make model APIs refuse the tool.
    input: z.object({
      id: documentKey.optional().describe('document id (UUID) or slug; give this or slug'),
      slug: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('document slug, e.g. "reset-password"; give this or id'),
    }),
    output: documentOut,
    annotations: READ,
    async run(domain, args) {
      if (!args.id && !args.slug)
        throw new InvalidError('give either id or slug', [{ field: 'id', message: 'or slug is required' }]);
      const doc = args.id
        ? await domain.documents.getByIdOrSlug(args.id)
        : await domain.documents.getBySlug(args.slug!);
      return toDocumentOut(doc, domain.config.publicUrl);
    },
    render: documentText,
  }),
  tool({
    name: 'create_document',
    title: 'Create a document',
    description:
      'Creates a knowledge-base document (draft unless a status is given) and returns it with its id and version.',
    scope: 'kb:write',
    input: createDocumentSchema,
    output: documentOut,
    annotations: WRITE(false),
    async run(domain, args, ctx) {
      return toDocumentOut(await domain.documents.create(args, ctx.principal), domain.config.publicUrl);
    },
    render: (d) => `Created document ${d.uri} (id ${d.id}, version ${d.version}, status ${d.status}).`,
  }),
  tool({
    name: 'update_document',
    title: 'Update a document',
    description:
      'Changes fields of a document at a known version; a stale expectedVersion is refused with the current one.',
    scope: 'kb:write',
    input: updateDocumentSchema.extend({
      id: documentKey,
      expectedVersion: updateDocumentSchema.shape.expectedVersion
        .unwrap()
        .describe('the version the change is based on (from get_document); a stale one is refused'),
    }),
    output: editedDocumentOut,
    annotations: UPDATE,
    async run(domain, { id, ...changes }, ctx) {
      return editedOut(await domain.documents.edit(id, changes, ctx.principal), domain.config.publicUrl);
    },
    render: (d) =>
      d.pendingReview
        ? `Your edit of the published article ${d.uri} is saved as draft ${d.pendingReview.draftId} for review; ` +
          `the article stays at version ${d.version} until an admin publishes the draft.`
        : `Updated document ${d.uri} to version ${d.version} (status ${d.status}).`,
  }),
  tool({
    name: 'list_document_versions',
    title: "List a document's versions",
    description:
      "A document's version history, newest first: who wrote each version and when, with its title and status (no body).",
    scope: 'kb:read',
    input: z.object({
      id: documentKey,
      limit: limit(100, 20).describe('maximum number of versions (default 20)'),
      cursor,
    }),
    output: z.object({ versions: z.array(versionSummaryOut), nextCursor }),
    annotations: READ,
    async run(domain, args) {
      const page = await domain.documents.versions(args.id, {
        limit: args.limit,
        cursor: args.cursor ?? null,
      });
      return {
        versions: page.items.map(toVersionSummaryOut),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
    render: (out) =>
      (out.versions.length === 0
        ? 'No versions.'
        : out.versions
            .map((v) => `v${v.version} ${v.createdAt} [${v.status}] ${v.title} (author ${v.authorId ?? '-'})`)
            .join('\n')) + (out.nextCursor ? `\nMore versions: cursor ${out.nextCursor}` : ''),
  }),
  tool({
    name: 'get_document_version',
    title: 'Get a document version',
    description: 'One earlier version of a document, with its Markdown body as it was then.',
    scope: 'kb:read',
    input: z.object({
      id: documentKey,
      version: z
        .number()
        .int()
        .min(1)
        .max(2_147_483_647)
        .describe('the version number, from list_document_versions'),
    }),
    output: versionOut,
    annotations: READ,
    async run(domain, args) {
      return toVersionOut(await domain.documents.getVersion(args.id, args.version));
    },
    render: (v) =>
      [
        `Version ${v.version} of ${v.uri} (document ${v.documentId}, status then ${v.status}, written ${v.createdAt})`,
        `Title: ${v.title}`,
        `Tags: ${v.tags.join(', ') || '-'}; collection: ${v.collection ?? '-'}`,
        '--- Markdown body (document content) ---',
        v.body,
      ].join('\n'),
  }),
  tool({
    name: 'restore_document_version',
    title: 'Restore a document version',
    description:
      "Writes an earlier version's title, body, tags and collection as a new version (history is kept; slug and status stay).",
    scope: 'kb:write',
    input: z.object({
      id: documentKey,
      version: z.number().int().min(1).max(2_147_483_647).describe('the version to bring back'),
      expectedVersion: z
        .number()
        .int()
        .min(1)
        .describe("the document's current version, as last read (a stale one is refused)"),
    }),
    output: editedDocumentOut,
    annotations: UPDATE,
    async run(domain, args, ctx) {
      return editedOut(
        await domain.documents.restore(args.id, args.version, args.expectedVersion, ctx.principal),
        domain.config.publicUrl,
      );
    },
    render: (d) =>
      d.pendingReview
        ? `The restore of the published article ${d.uri} is saved as draft ${d.pendingReview.draftId} for review; ` +
          `the article stays at version ${d.version} until an admin publishes it.`
        : `Restored: document ${d.uri} is now at version ${d.version} (status ${d.status}).`,
  }),
  tool({
    name: 'search_tickets',
    title: 'Search tickets',
    description:
      'Support tickets matching optional text and filters (statuses, priority, tags, assignee, requester, dates, SLA), sorted, paginated.',
    scope: 'tickets:read',
    input: searchTicketsSchema,
    output: z.object({ tickets: z.array(ticketOut), nextCursor: z.string().nullable() }),
    annotations: READ,
    async run(domain, args, ctx) {
      await ctx.progress(0, 1, 'searching');
      const page = await domain.tickets.search(args, ctx.principal);
      await ctx.progress(1, 1, `${page.items.length} tickets`);
      return { tickets: page.items.map(toTicketOut), nextCursor: page.nextCursor };
    },
    render: (out) =>
      (out.tickets.length === 0 ? 'No ticket matches.' : out.tickets.map(ticketLine).join('\n')) +
      (out.nextCursor ? `\nMore results: cursor ${out.nextCursor}` : ''),
  }),
  tool({
    name: 'get_ticket',
    title: 'Get a ticket',
    description:
      'One support ticket by number, with the first page of its comments oldest first (list_ticket_comments pages on).',
    scope: 'tickets:read',
    input: z.object({
      number: ticketNumber,
      commentLimit: limit(100, 20).describe('how many comments to include, oldest first (default 20)'),
    }),
    output: ticketWithCommentsOut.extend({
      commentsNextCursor: z
        .string()
        .optional()
        .describe('present when more comments follow: pass it as cursor to list_ticket_comments'),
    }),
    annotations: READ,
    async run(domain, args, ctx) {
      const { commentsNextCursor, ...t } = await domain.tickets.getWithCommentPage(
        args.number,
        ctx.principal,
        args.commentLimit,
      );
      return {
        ...toTicketWithCommentsOut(t),
        ...(commentsNextCursor ? { commentsNextCursor } : {}),
      };
    },
    render: (t) => `Ticket #${t.number} (version ${t.version}) as JSON data:\n${json(t)}`,
  }),
  tool({
    name: 'list_ticket_comments',
    title: "List a ticket's comments",
    description:
      "A page of a ticket's comments, oldest first, from the cursor get_ticket or the last page gave.",
    scope: 'tickets:read',
    input: z.object({
      number: ticketNumber,
      limit: limit(100, 20).describe('maximum number of comments (default 20)'),
      cursor,
    }),
    output: z.object({ comments: z.array(commentOut), nextCursor }),
    annotations: READ,
    async run(domain, args, ctx) {
      const page = await domain.tickets.listComments(args.number, ctx.principal, {
        limit: args.limit,
        cursor: args.cursor ?? null,
      });
      return {
        comments: page.items.map(toCommentOut),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
    render: (out) =>
      (out.comments.length === 0
        ? 'No comments.'
        : out.comments
            .map(
              (c) =>
                `${c.createdAt} ${c.author?.email ?? c.authorId}${c.internal ? ' (internal)' : ''}: ${c.body}`,
            )
            .join('\n')) + (out.nextCursor ? `\nMore comments: cursor ${out.nextCursor}` : ''),
  }),
  tool({
    name: 'create_ticket',
    title: 'Create a ticket',
    description:
      'Opens a support ticket for a requester email address and returns it with its number and version.',
    scope: 'tickets:write',
    // An agent names the customer it acts for: requesterEmail is required on this door.
    input: createTicketSchema.omit({ requesterId: true }).required({ requesterEmail: true }),
    output: ticketOut,
    annotations: WRITE(false),
    async run(domain, args, ctx) {
      return toTicketOut(await domain.tickets.create(args, ctx.principal));
    },
    render: (t) => `Created ticket #${t.number} <${t.uri}> (version ${t.version}, status ${t.status}).`,
  }),
  tool({
    name: 'update_ticket',
    title: 'Update a ticket',
    description:
      'Changes status, priority, assignee, text of a ticket at a known version; addTags/removeTags edit its tags, tags replaces them.',
    scope: 'tickets:write',
    input: updateTicketSchema.extend({ number: ticketNumber, expectedVersion: expectedVersionSchema }),
    output: ticketOut.extend({
      tagsAdded: z.array(z.string()).describe('tags this change added'),
      tagsRemoved: z.array(z.string()).describe('tags this change removed (a replaced list names them here)'),
    }),
    annotations: UPDATE,
    async run(domain, { number, ...changes }, ctx) {
      const { ticket, tagsAdded, tagsRemoved } = await domain.tickets.updateDetailed(
        number,
        changes,
        ctx.principal,
      );
      return { ...toTicketOut(ticket), tagsAdded, tagsRemoved };
    },
    render: (t) =>
      `Updated ticket #${t.number} to version ${t.version} (status ${t.status}, priority ${t.priority}, ` +
      `tags ${t.tags.join(',') || '-'}` +
      (t.tagsAdded.length ? `; added ${t.tagsAdded.join(',')}` : '') +
      (t.tagsRemoved.length ? `; removed ${t.tagsRemoved.join(',')}` : '') +
      ').',
  }),
  tool({
    name: 'comment_on_ticket',
    title: 'Comment on a ticket',
    description:
      "Adds a comment to a ticket (internal ones are visible to agents only) and optionally sets its status (e.g. resolves or closes it) in the same change; returns the ticket's new version.",
    scope: 'tickets:write',
    input: commentInputSchema.extend({ number: ticketNumber }),
    output: z.object({
      comment: commentOut,
      ticket: z
        .object({ number: z.number().int(), version: z.number().int(), status: z.string() })
        .describe('the ticket after the comment: use its version as the next expectedVersion'),
    }),
    annotations: COMMENT,
    async run(domain, { number, ...input }, ctx) {
      const { comment, ticket } = await domain.tickets.commentAndUpdate(number, input, ctx.principal);
      return {
        comment: toCommentOut(comment),
        ticket: { number: ticket.number, version: ticket.version, status: ticket.status },
      };
    },
    render: ({ comment: c, ticket: t }) =>
      `Added ${c.internal ? 'an internal' : 'a public'} comment ${c.id} to ticket #${t.number}; ` +
      `the ticket is now ${t.status} at version ${t.version}.`,
  }),
  tool({
    name: 'find_users',
    title: 'Find users',
    description: 'People whose name or email contains the query, optionally of one role, by email.',
    scope: 'users:read',
    input: z.object({
      query: z.string().max(254).describe('part of a name or email address ("" for everyone)'),
      role: roleSchema.optional().describe('only people with this role'),
      limit: limit(100, 20).describe('maximum number of people (default 20)'),
      cursor,
    }),
    output: z.object({ users: z.array(userOut), nextCursor }),
    annotations: READ,
    async run(domain, args) {
      const page = await domain.users.list({
        query: args.query,
        role: args.role,
        limit: args.limit,
        cursor: args.cursor ?? null,
      });
      return {
        users: page.items.map(toUserOut),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
    render: (out) =>
      (out.users.length === 0
        ? 'No user matches.'
        : out.users
            .map((u) => `${u.name} <${u.email}> ${u.role}${u.active ? '' : ' (inactive)'} id ${u.id}`)
            .join('\n')) + (out.nextCursor ? `\nMore results: cursor ${out.nextCursor}` : ''),
  }),
  tool({
    name: 'get_user',
    title: 'Get a user',
    description: 'One person by id or by email.',
    scope: 'users:read',
    // "id or email" is checked when called: a top-level oneOf would make model APIs refuse the tool.
    input: z.object({
      id: z.string().min(1).max(100).optional().describe('user id (UUID); give this or email'),
      email: z.string().min(1).max(254).optional().describe('email address; give this or id'),
    }),
    output: userOut,
    annotations: READ,
    async run(domain, args) {
      if (args.id) return toUserOut(await domain.users.get(args.id));
      if (args.email) return toUserOut(await domain.users.getByEmail(args.email));
      throw new InvalidError('give either id or email', [{ field: 'id', message: 'or email is required' }]);
    },
    render: (u) => `${u.name} <${u.email}>, role ${u.role}${u.active ? '' : ', inactive'}, id ${u.id}`,
  }),
];

export const TOOLS_BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));
