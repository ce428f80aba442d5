import { z } from 'zod';
import {
  cursorSchema,
  emailSchema,
  isoDateTime,
  limitSchema,
  pageSchema,
  tagsSchema,
  userRefSchema,
  uuidSchema,
} from '@app/core';
import { TicketChannel, TicketPriority, TicketStatus } from '@app/database';

/**
 * The ticket's shapes, written once. The service validates with them; REST derives its DTOs and
 * OpenAPI from them (apps/server/src/tickets/tickets.dto.ts), MCP uses them as tool input and
 * output schemas (libs/mcp), and the admin's types are generated from the OpenAPI document.
 * Enum values come from prisma/schema.prisma. A new writable field goes into `ticketFields`
 * (and `ticketSchema` for output); a filterable enum also into `ticketEnumFilters`, a date bound
 * into `ticketDateFilters` (and its schema into `ticketFilterSchema`).
 */

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const COMMENT_MAX = 20_000;
export const TAGS_MAX = 20;
export const TAG_MAX = 50;
export const QUERY_MAX = 500;

export const ticketStatusSchema = z.enum(TicketStatus).meta({ example: 'open' });
const TICKET_STATUSES_COUNT = Object.keys(TicketStatus).length;
export const ticketPrioritySchema = z.enum(TicketPriority).meta({ example: 'high' });
export const ticketChannelSchema = z
  .enum(TicketChannel)
  .meta({ example: 'email', description: 'How the request reached the desk' });

/** Writable fields with their limits (create and update take these). */
export const ticketFields = {
  title: z
    .string()
    .trim()
    .min(1)
    .max(TITLE_MAX)
    .meta({ example: 'Cannot reset my password', description: `1 to ${TITLE_MAX} characters` }),
  description: z
    .string()
    .trim()
    .max(DESCRIPTION_MAX)
    .meta({
      example: 'The reset link in the e-mail says it has expired.',
      description: `Markdown, at most ${DESCRIPTION_MAX} characters (may be empty)`,
    }),
  priority: ticketPrioritySchema.meta({
    description: 'low, normal, high or urgent; high and urgent get a first-response deadline (SLA)',
  }),
  channel: ticketChannelSchema,
  dueAt: isoDateTime.nullable().meta({
    description:
      'When the customer was promised an answer (ISO 8601; null: no promise). Not the SLA deadline',
  }),
  tags: tagsSchema(TAGS_MAX, TAG_MAX).meta({
    description: `Labels, lower-cased, at most ${TAGS_MAX} of ${TAG_MAX} characters each`,
  }),
};

/** Filters that are one enum value each (list, search, MCP search_tickets). */
export const ticketEnumFilters = {
  status: ticketStatusSchema.meta({ description: 'Only tickets in this status' }),
  priority: ticketPrioritySchema.meta({ description: 'Only tickets of this priority' }),
  channel: ticketChannelSchema.meta({ description: 'Only tickets that came in through this channel' }),
};

/**
 * Filters that bound a date column (`gt`: after, `lt`: before; the column's field in the output
 * shape). The repository applies every one it finds here; its schema goes in the filter schemas below.
 */
export const ticketDateFilters = {
  createdAfter: { field: 'createdAt', op: 'gt' },
  updatedAfter: { field: 'updatedAt', op: 'gt' },
  dueBefore: { field: 'dueAt', op: 'lt' },
} as const satisfies Record<string, { field: keyof TicketDto; op: 'gt' | 'lt' }>;

const number = z.number().int().min(1).max(2_147_483_647).meta({ example: 42 });

export const ticketSchema = z.object({
  id: uuidSchema,
  number: number.meta({ description: 'Human-friendly unique number; the ticket is addressed by it' }),
  title: z.string(),
  description: z.string(),
  status: ticketStatusSchema,
  priority: ticketPrioritySchema,
  channel: ticketChannelSchema,
  dueAt: ticketFields.dueAt,
  requesterId: uuidSchema,
  requester: userRefSchema.nullable(),
  assigneeId: uuidSchema.nullable(),
  assignee: userRefSchema.nullable(),
  tags: z.array(z.string()),
  version: z.number().int().meta({ example: 3 }),
  firstResponseAt: isoDateTime
    .nullable()
    .meta({ description: 'First public reply by someone other than the requester' }),
  slaDueAt: isoDateTime.nullable().meta({ description: 'First-response deadline (urgent and high only)' }),
  slaBreachedAt: isoDateTime.nullable(),
  resolvedAt: isoDateTime.nullable(),
  closedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type TicketDto = z.infer<typeof ticketSchema>;

export const ticketCommentSchema = z.object({
  id: uuidSchema,
  ticketId: uuidSchema,
  ticketNumber: number,
  body: z.string().meta({ example: 'I have sent you a new link; it is valid for 24 hours.' }),
  internal: z
    .boolean()
    .meta({ description: 'Internal notes are visible only to callers with tickets:write' }),
  authorId: uuidSchema,
  author: userRefSchema.nullable(),
  createdAt: isoDateTime,
});
export type TicketCommentDto = z.infer<typeof ticketCommentSchema>;

export const ticketWithCommentsSchema = ticketSchema.extend({
  comments: z.array(ticketCommentSchema).meta({
    description: 'Oldest first; internal comments only for callers with tickets:write',
  }),
});
export type TicketWithCommentsDto = z.infer<typeof ticketWithCommentsSchema>;

export const ticketPageSchema = pageSchema(ticketSchema);
export const ticketCommentPageSchema = pageSchema(ticketCommentSchema);

const assigneeId = uuidSchema.meta({ description: 'An active agent or admin' });

export const createTicketSchema = z.strictObject({
  ...ticketFields,
  priority: ticketFields.priority.default('normal'),
  channel: ticketFields.channel.default('api'),
  dueAt: ticketFields.dueAt.optional(),
  tags: ticketFields.tags.default([]),
  requesterEmail: emailSchema.optional().meta({
    description:
      'Who asked; an unknown address becomes a viewer without a password. Default: the caller (when it is a user)',
  }),
  requesterId: uuidSchema.optional().meta({ description: 'Alternative to requesterEmail' }),
  assigneeId: assigneeId
    .nullable()
    .optional()
    .meta({ description: 'An active agent or admin to assign it to (default: nobody)' }),
});
export type CreateTicketInput = z.input<typeof createTicketSchema>;

export const expectedVersionSchema = z
  .number()
  .int()
  .min(1)
  .meta({ example: 3, description: 'The version the change is based on (or the If-Match header)' });

export const updateTicketSchema = z.strictObject({
  ...z.object(ticketFields).partial().shape,
  tags: ticketFields.tags.optional().meta({
    description:
      'Replaces the whole tag list (the result names what was dropped); to keep the others use addTags/removeTags',
    example: ['login', 'email'],
  }),
  addTags: ticketFields.tags
    .optional()
    .meta({ description: 'Tags to add; the others stay (not with tags)', example: ['triaged'] }),
  removeTags: ticketFields.tags
    .optional()
    .meta({ description: 'Tags to remove if present; the others stay (not with tags)', example: ['new'] }),
  status: ticketStatusSchema.optional().meta({
    description:
      'Workflow: open → pending|resolved|closed; pending → open|resolved|closed; resolved → open|closed; closed → open. ' +
      'Any other move answers 409 naming the allowed next states.',
  }),
  assigneeId: assigneeId
    .nullable()
    .optional()
    .meta({ description: 'An active agent or admin; null unassigns' }),
  expectedVersion: expectedVersionSchema.optional(),
});
export type UpdateTicketInput = z.input<typeof updateTicketSchema>;

export const commentInputSchema = z.strictObject({
  body: z
    .string()
    .trim()
    .min(1)
    .max(COMMENT_MAX)
    .meta({
      example: 'I have sent you a new link.',
      description: `The comment, Markdown, 1 to ${COMMENT_MAX} characters`,
    }),
  internal: z.boolean().default(false).meta({ description: 'An internal note, hidden from viewers' }),
  status: ticketStatusSchema.optional().meta({
    description:
      'Also move the ticket to this status in the same change (e.g. reply and resolve); same workflow rules as an update',
  }),
});
export type CommentInput = z.input<typeof commentInputSchema>;

/** List filters (REST query, MCP search_tickets); they combine with AND. */
export const ticketFilterSchema = z.strictObject({
  ...z.object(ticketEnumFilters).partial().shape,
  status: z
    .union([ticketStatusSchema, z.array(ticketStatusSchema).min(1).max(TICKET_STATUSES_COUNT)])
    .optional()
    .meta({ description: 'One status, or a list: tickets in any of them' }),
  assigneeId: z
    .union([z.literal('none'), uuidSchema])
    .optional()
    .meta({ description: 'A user id, or "none" for unassigned tickets', example: 'none' }),
  requesterEmail: z
    .string()
    .trim()
    .toLowerCase()
    .max(254)
    .optional()
    .meta({ example: 'sam@example.com', description: 'Only tickets from this requester (exact address)' }),
  tag: z
    .string()
    .trim()
    .toLowerCase()
    .max(TAG_MAX)
    .optional()
    .meta({ example: 'login', description: 'Only tickets carrying this tag' }),
  dueBefore: isoDateTime.optional().meta({
    description: 'Only tickets promised (dueAt) before this instant (ISO 8601); undated ones never match',
  }),
});

export const listTicketsSchema = ticketFilterSchema.extend({
  query: z
    .string()
    .max(QUERY_MAX)
    .optional()
    .meta({
      example: 'password reset',
      description:
        'Full-text search (words are OR-ed, best match first; "quotes", -word and or follow web-search syntax); ' +
        '#42 finds ticket 42 only, a bare 42 also matches it; titles also match by substring',
    }),
  limit: limitSchema.optional(),
  cursor: cursorSchema
    .nullable()
    .optional()
    .meta({ description: 'Opaque cursor: the nextCursor of the previous page (omit for the first page)' }),
});
export type ListTicketsInput = z.input<typeof listTicketsSchema>;

export const TICKET_SORTS = ['created', 'updated', 'slaDue', 'priority'] as const;

/** Search (MCP search_tickets): the list filters plus several statuses, tags, dates, SLA and sort. */
export const searchTicketsSchema = listTicketsSchema.extend({
  status: z
    .union([ticketStatusSchema, z.array(ticketStatusSchema).min(1).max(4)])
    .optional()
    .meta({ description: 'One status, or a list of statuses (any of them)', example: ['open', 'pending'] }),
  tags: z
    .array(z.string().trim().toLowerCase().min(1).max(TAG_MAX))
    .max(TAGS_MAX)
    .optional()
    .meta({ description: 'Only tickets carrying all of these tags', example: ['billing'] }),
  createdAfter: isoDateTime
    .optional()
    .meta({ description: 'Only tickets created after this instant (ISO 8601)' }),
  updatedAfter: isoDateTime
    .optional()
    .meta({ description: 'Only tickets changed after this instant (ISO 8601)' }),
  slaBreached: z.boolean().optional().meta({
    description: 'true: only tickets whose first-response deadline passed unanswered; false: only the others',
  }),
  sort: z.enum(TICKET_SORTS).optional().meta({
    description:
      'Order by creation, last change, SLA due time or priority (newest/latest/most urgent first unless order is "asc"); without sort: best match first with a query, else newest first',
  }),
  order: z.enum(['asc', 'desc']).optional().meta({ description: 'Sort direction (default desc)' }),
});
export type SearchTicketsInput = z.input<typeof searchTicketsSchema>;
