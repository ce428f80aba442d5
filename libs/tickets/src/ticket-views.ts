import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
  assertScopes,
  isUuid,
  isoDateTime,
  jsonDates,
  parseInput,
  userRefSchema,
  uuidSchema,
  type Principal,
} from '@app/core';
import { DatabaseService, type Prisma, type Tx } from '@app/database';
import { changedFields } from '@app/events';
import { writeAudit, type AuditAction } from '@app/observability';
import { expectedVersionSchema, listTicketsSchema, searchTicketsSchema } from './ticket.schema';
import { TICKET_STATUSES } from './ticket-workflow';

/**
 * Saved ticket views: a named list query (filters and sort) that belongs to one user and
 * follows them from browser to browser; `shared` lists it for every agent as well. The query
 * has the admin's URL form (strings), so a view and its shareable URL are the same thing.
 */

export const VIEW_NAME_MAX = 80;
export const VIEWS_PER_USER_MAX = 100;

const STATUS_LIST = new RegExp(`^(${TICKET_STATUSES.join('|')})(,(${TICKET_STATUSES.join('|')}))*$`);

/**
 * The list query (`listTicketsSchema`) in the admin's URL form: `q` for the text, statuses
 * comma-separated, `me` as an assignee, the list's sort; no paging. A new list filter is a view
 * filter without an edit here.
 */
export const ticketViewQuerySchema = listTicketsSchema
  .omit({ query: true, limit: true, cursor: true })
  .extend({
    q: listTicketsSchema.shape.query,
    status: z
      .string()
      .regex(STATUS_LIST, 'must be statuses separated by commas')
      .optional()
      .meta({ example: 'open,pending' }),
    assigneeId: z
      .union([z.literal('none'), z.literal('me'), uuidSchema])
      .optional()
      .meta({ description: 'A user id, "none" (unassigned) or "me" (whoever opens the view)' }),
    sort: searchTicketsSchema.shape.sort,
    order: searchTicketsSchema.shape.order,
  })
  .meta({ description: 'The ticket list query (the admin URL parameters) the view opens' });

const name = z.string().trim().min(1).max(VIEW_NAME_MAX).meta({ example: 'Urgent, unassigned' });

export const ticketViewSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  query: ticketViewQuerySchema,
  shared: z.boolean().meta({ description: 'Listed for every agent (only the owner may change it)' }),
  owner: userRefSchema.nullable(),
  mine: z.boolean().meta({ description: 'The caller owns this view' }),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type TicketViewDto = z.infer<typeof ticketViewSchema>;
export const ticketViewListSchema = z.object({ items: z.array(ticketViewSchema) });

export const createTicketViewSchema = z.strictObject({
  name,
  query: ticketViewQuerySchema,
  shared: z.boolean().default(false),
});
export type CreateTicketViewInput = z.input<typeof createTicketViewSchema>;

export const updateTicketViewSchema = z.strictObject({
  name: name.optional(),
  query: ticketViewQuerySchema.optional(),
  shared: z.boolean().optional(),
  expectedVersion: expectedVersionSchema.optional(),
});
export type UpdateTicketViewInput = z.input<typeof updateTicketViewSchema>;

const OWNER = { owner: { select: { id: true, email: true, name: true } } } as const;
type ViewRow = Prisma.TicketViewGetPayload<{ include: typeof OWNER }>;

const toDto = (row: ViewRow, viewer: Principal): TicketViewDto =>
  ticketViewSchema.parse({ ...(jsonDates(row) as object), mine: row.ownerId === viewer.userId });

/** A person's views; the rules (owner only writes, shared views readable by all agents) live here. */
@Injectable()
export class TicketViewsService {
  constructor(private readonly database: DatabaseService) {}

  /** The caller's views and the views others share, by name. */
  async list(viewer: Principal): Promise<{ items: TicketViewDto[] }> {
    const userId = userOf(viewer, 'tickets:read');
    const rows = await this.database.prisma.ticketView.findMany({
      where: { OR: [{ ownerId: userId }, { shared: true }] },
      include: OWNER,
      orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
    });
    return { items: rows.map((r) => toDto(r, viewer)) };
  }

  async get(id: string, viewer: Principal): Promise<TicketViewDto> {
    const userId = userOf(viewer, 'tickets:read');
    const row = isUuid(id)
      ? await this.database.prisma.ticketView.findUnique({ where: { id }, include: OWNER })
      : null;
    if (!row || (row.ownerId !== userId && !row.shared)) throw new NotFoundError('ticket view', id);
    return toDto(row, viewer);
  }

  async create(raw: CreateTicketViewInput, actor: Principal): Promise<TicketViewDto> {
    const ownerId = userOf(actor, 'tickets:read');
    const input = parseInput(createTicketViewSchema, raw, 'ticket view');
    return this.database.transaction(async (tx) => {
      // Serialises one owner's creates so the cap holds under concurrency.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`ticket_view:${ownerId}`}))`;
      if ((await tx.ticketView.count({ where: { ownerId } })) >= VIEWS_PER_USER_MAX) {
        throw new ConflictError(`a user keeps at most ${VIEWS_PER_USER_MAX} saved views; delete one first`);
      }
      const row = await tx.ticketView.create({ data: { ...input, ownerId }, include: OWNER });
      await audit(tx, actor, 'ticket_view.create', row.id, input.name);
      return toDto(row, actor);
    });
  }

  async update(id: string, raw: UpdateTicketViewInput, actor: Principal): Promise<TicketViewDto> {
    userOf(actor, 'tickets:read');
    const { expectedVersion, ...wanted } = parseInput(updateTicketViewSchema, raw, 'ticket view update');
    return this.database.transaction(async (tx) => {
      const current = await lockOwned(tx, id, actor);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new VersionConflictError('ticket view', id, expectedVersion, current.version);
      }
      const changes = changedFields(current, wanted);
      if (!Object.keys(changes).length) return toDto(current, actor);
      const row = await tx.ticketView.update({
        where: { id },
        data: { ...changes, version: current.version + 1 },
        include: OWNER,
      });
      await audit(tx, actor, 'ticket_view.update', id, Object.keys(changes).join(', '));
      return toDto(row, actor);
    });
  }

  async remove(id: string, actor: Principal): Promise<void> {
    userOf(actor, 'tickets:read');
    await this.database.transaction(async (tx) => {
      const current = await lockOwned(tx, id, actor);
      await tx.ticketView.delete({ where: { id } });
      await audit(tx, actor, 'ticket_view.delete', id, current.name);
    });
  }
}

/** The calling user (views belong to people; an API key acts as its owner). */
function userOf(p: Principal, scope: 'tickets:read'): string {
  assertScopes(p, [scope]);
  if (!p.userId) throw new ForbiddenError('saved views belong to a user; this caller has none');
  return p.userId;
}

/** Reads a view under a row lock; only its owner may change it (others: 404, or 403 if shared). */
async function lockOwned(tx: Tx, id: string, actor: Principal): Promise<ViewRow> {
  if (!isUuid(id)) throw new NotFoundError('ticket view', id);
  await tx.$queryRaw`SELECT id FROM ticket_view WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.ticketView.findUnique({ where: { id }, include: OWNER });
  if (!row || (row.ownerId !== actor.userId && !row.shared)) throw new NotFoundError('ticket view', id);
  if (row.ownerId !== actor.userId) throw new ForbiddenError('only its owner may change a saved view');
  return row;
}

const audit = (tx: Tx, actor: Principal, action: AuditAction, id: string, detail: string) =>
  writeAudit(tx, { actor, action, targetType: 'ticket_view', targetId: id, outcome: 'success', detail });
