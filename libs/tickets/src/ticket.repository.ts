import { Injectable } from '@nestjs/common';
import { jsonDates, NotFoundError } from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import type { z } from 'zod';
import type { TicketQuery } from './ticket-search';
import {
  ticketCommentSchema,
  ticketDateFilters,
  ticketEnumFilters,
  ticketSchema,
  type TicketCommentDto,
  type TicketDto,
  type ticketFilterSchema,
  type TICKET_SORTS,
} from './ticket.schema';
import { SLA_ACTIVE_STATUSES } from './ticket-workflow';

const PERSON = { select: { id: true, email: true, name: true } } as const;
const PEOPLE = { requester: PERSON, assignee: PERSON } satisfies Prisma.TicketInclude;
const AUTHOR = { author: PERSON } satisfies Prisma.TicketCommentInclude;

/** A ticket row as the service reads it (Prisma's payload type, with requester and assignee). */
export type TicketRow = Prisma.TicketGetPayload<{ include: typeof PEOPLE }>;
export type TicketCommentRow = Prisma.TicketCommentGetPayload<{ include: typeof AUTHOR }>;
export type TicketFilters = Omit<z.output<typeof ticketFilterSchema>, 'status'> & {
  status?: TicketRow['status'] | TicketRow['status'][];
  tags?: string[];
  slaBreached?: boolean;
} & { [K in keyof typeof ticketDateFilters]?: string };
export interface TicketSort {
  by: (typeof TICKET_SORTS)[number];
  order: 'asc' | 'desc';
}

/** Rows → the output shape (Dates become ISO strings; fields the schema does not declare are dropped). */
export const toTicketDto = (row: TicketRow): TicketDto => ticketSchema.parse(jsonDates(row));
export const toCommentDto = (row: TicketCommentRow, ticketNumber: number): TicketCommentDto =>
  ticketCommentSchema.parse({ ...(jsonDates(row) as object), ticketNumber });

/** Cursor of the plain list (number desc), of a ranked search ([rank, number]) and of a sorted search (offset). */
export type ListCursor = { n: number } | { r: number; n: number } | { o: number };
export type CommentCursor = [string, string];

const enumFilterKeys = Object.keys(ticketEnumFilters) as (keyof typeof ticketEnumFilters)[];
const dateFilters = Object.entries(ticketDateFilters) as [
  keyof typeof ticketDateFilters,
  (typeof ticketDateFilters)[keyof typeof ticketDateFilters],
][];
const column = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The tickets' SQL, in one place. Writes take the caller's transaction; reads use the shared client. */
@Injectable()
export class TicketRepository {
  constructor(private readonly db: DatabaseService) {}

  create(tx: Tx, data: Prisma.TicketUncheckedCreateInput): Promise<TicketRow> {
    return tx.ticket.create({ data, include: PEOPLE });
  }

  /** Reads the ticket under a row lock so concurrent writers to it run one after the other. */
  async lock(tx: Tx, number: number): Promise<TicketRow> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM ticket WHERE number = ${number}::int FOR UPDATE`;
    if (!locked.length) throw new NotFoundError('ticket', number);
    return tx.ticket.findUniqueOrThrow({ where: { id: locked[0].id }, include: PEOPLE });
  }

  /** Writes `data` to a ticket locked in `tx`. */
  update(tx: Tx, id: string, data: Prisma.TicketUncheckedUpdateInput): Promise<TicketRow> {
    return tx.ticket.update({ where: { id }, data, include: PEOPLE });
  }

  addComment(tx: Tx, data: Prisma.TicketCommentUncheckedCreateInput): Promise<TicketCommentRow> {
    return tx.ticketComment.create({ data, include: AUTHOR });
  }

  /** The ticket with its comments oldest first (the first `take` of them when given). */
  async getWithComments(number: number, withInternal: boolean, take?: number) {
    const row = await this.db.prisma.ticket.findUnique({
      where: { number },
      include: {
        ...PEOPLE,
        comments: {
          where: withInternal ? {} : { internal: false },
          include: AUTHOR,
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          ...(take !== undefined ? { take } : {}),
        },
      },
    });
    if (!row) throw new NotFoundError('ticket', number);
    return row;
  }

  /** Comments oldest first, keyset-paginated on (createdAt, id); `take` rows. */
  async comments(
    number: number,
    withInternal: boolean,
    after: CommentCursor | null,
    take: number,
  ): Promise<TicketCommentRow[]> {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { number }, select: { id: true } });
    if (!ticket) throw new NotFoundError('ticket', number);
    const at = after ? new Date(after[0]) : null;
    return this.db.prisma.ticketComment.findMany({
      where: {
        ticketId: ticket.id,
        ...(withInternal ? {} : { internal: false }),
        ...(at && after ? { OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: after[1] } }] } : {}),
      },
      include: AUTHOR,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    });
  }

  /** Newest first (number desc). */
  newest(filters: TicketFilters, after: ListCursor | null, take: number): Promise<TicketRow[]> {
    const where = whereOf(filters);
    if (after && 'n' in after) where.number = { lt: after.n };
    return this.db.prisma.ticket.findMany({ where, include: PEOPLE, orderBy: { number: 'desc' }, take });
  }

  /**
   * In the order asked for (created = number, updated, SLA due with undated last, priority in
   * its enum order low → urgent), offset-paginated.
   */
  sorted(filters: TicketFilters, sort: TicketSort, offset: number, take: number): Promise<TicketRow[]> {
    const dir = sort.order;
    const orderBy: Prisma.TicketOrderByWithRelationInput[] =
      sort.by === 'created'
        ? [{ number: dir }]
        : sort.by === 'updated'
          ? [{ updatedAt: dir }, { number: dir }]
          : sort.by === 'priority'
            ? [{ priority: dir }, { number: 'desc' }]
            : [{ slaDueAt: { sort: dir, nulls: 'last' } }, { number: dir }];
    return this.db.prisma.ticket.findMany({
      where: whereOf(filters),
      include: PEOPLE,
      orderBy,
      skip: offset,
      take,
    });
  }

  /** Ranked search: best match first (rank desc, then number desc). */
  async search(
    filters: TicketFilters,
    q: TicketQuery,
    after: ListCursor | null,
    take: number,
  ): Promise<{ row: TicketRow; rank: number }[]> {
    const tsq = !q.tsquery
      ? null
      : q.tsquery.kind === 'or'
        ? Prisma.sql`to_tsquery('english', ${q.tsquery.text})`
        : Prisma.sql`websearch_to_tsquery('english', ${q.tsquery.text})`;
    const likes = q.like !== null;
    const matches: Prisma.Sql[] = [];
    if (likes) matches.push(Prisma.sql`t.title ILIKE ${q.like}`);
    if (tsq) matches.push(Prisma.sql`t.tsv @@ ${tsq}`);
    if (q.number !== null) matches.push(Prisma.sql`t.number = ${q.number}::int`);
    const rank = Prisma.sql`(
      ${tsq ? Prisma.sql`COALESCE(ts_rank_cd(t.tsv, ${tsq}), 0)::float8` : Prisma.sql`0::float8`}
      + ${likes ? Prisma.sql`CASE WHEN t.title ILIKE ${q.like} THEN 0.05 ELSE 0 END` : Prisma.sql`0`}
      + ${q.number !== null ? Prisma.sql`CASE WHEN t.number = ${q.number}::int THEN 1000 ELSE 0 END` : Prisma.sql`0`}
    )::float8`;
    const where = [Prisma.sql`(${Prisma.join(matches, ' OR ')})`];
    // Enum filters compare as text: column names follow the schema's fields (snake_case).
    for (const key of enumFilterKeys) {
      const value = filters[key];
      if (value)
        where.push(Prisma.sql`t.${Prisma.raw(column(key))}::text IN (${Prisma.join([value].flat())})`);
    }
    if (filters.tags?.length) where.push(Prisma.sql`t.tags @> ${filters.tags}::text[]`);
    for (const [key, { field, op }] of dateFilters) {
      const value = filters[key];
      if (value)
        where.push(
          Prisma.sql`t.${Prisma.raw(column(field))} ${Prisma.raw(op === 'gt' ? '>' : '<')} ${new Date(value)}`,
        );
    }
    if (filters.slaBreached === true) where.push(Prisma.sql`t.sla_breached_at IS NOT NULL`);
    if (filters.slaBreached === false) where.push(Prisma.sql`t.sla_breached_at IS NULL`);
    if (filters.assigneeId === 'none') where.push(Prisma.sql`t.assignee_id IS NULL`);
    else if (filters.assigneeId) where.push(Prisma.sql`t.assignee_id = ${filters.assigneeId}::uuid`);
    if (filters.requesterEmail) {
      where.push(
        Prisma.sql`t.requester_id IN (SELECT id FROM "user" WHERE email = ${filters.requesterEmail})`,
      );
    }
    if (filters.tag) where.push(Prisma.sql`${filters.tag} = ANY(t.tags)`);
    const page =
      after && 'o' in after
        ? Prisma.empty
        : after && 'r' in after
          ? Prisma.sql`WHERE s.rank < ${after.r}::float8 OR (s.rank = ${after.r}::float8 AND s.number < ${after.n}::int)`
          : after
            ? Prisma.sql`WHERE s.number < ${after.n}::int`
            : Prisma.empty;
    const hits = await this.db.prisma.$queryRaw<{ id: string; number: number; rank: number }[]>`
      SELECT s.id, s.number, s.rank FROM (
        SELECT t.id::text AS id, t.number, ${rank} AS rank FROM ticket t WHERE ${Prisma.join(where, ' AND ')}
      ) s ${page}
      ORDER BY s.rank DESC, s.number DESC
      LIMIT ${take}::int`;
    const rows = await this.db.prisma.ticket.findMany({
      where: { id: { in: hits.map((h) => h.id) } },
      include: PEOPLE,
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return hits.flatMap((h) => {
      const row = byId.get(h.id);
      return row ? [{ row, rank: Number(h.rank) }] : [];
    });
  }

  /**
   * Stamps slaBreachedAt on an open or pending ticket whose first-response deadline has passed
   * with no response, once (the condition is the guard, so concurrent calls stamp at most once).
   */
  async stampSlaBreach(tx: Tx, number: number, now: Date): Promise<TicketRow | null> {
    const { count } = await tx.ticket.updateMany({
      where: { number, ...slaDue(now) },
      data: { slaBreachedAt: now, updatedAt: now, version: { increment: 1 } },
    });
    return count === 0 ? null : tx.ticket.findUniqueOrThrow({ where: { number }, include: PEOPLE });
  }

  /** Numbers of tickets whose SLA is due at `now` and not yet marked, earliest first. */
  async slaDueNumbers(now: Date, take: number): Promise<number[]> {
    const rows = await this.db.prisma.ticket.findMany({
      where: slaDue(now),
      select: { number: true },
      orderBy: [{ slaDueAt: 'asc' }, { number: 'asc' }],
      take,
    });
    return rows.map((r) => r.number);
  }

  async numbersStartingWith(prefix: string, take: number): Promise<number[]> {
    const rows = await this.db.prisma.$queryRaw<{ number: number }[]>`
      SELECT number::int AS number FROM ticket
       WHERE number::text LIKE ${prefix + '%'}
       ORDER BY number DESC LIMIT ${take}::int`;
    return rows.map((r) => r.number);
  }

  async userExists(tx: Tx, id: string): Promise<boolean> {
    return !!(await tx.user.findUnique({ where: { id }, select: { id: true } }));
  }
}

/** The filters as a Prisma where (they combine with AND). */
function whereOf(filters: TicketFilters): Prisma.TicketWhereInput {
  const where: Prisma.TicketWhereInput = {
    ...(filters.assigneeId ? { assigneeId: filters.assigneeId === 'none' ? null : filters.assigneeId } : {}),
    ...(filters.requesterEmail ? { requester: { email: filters.requesterEmail } } : {}),
  };
  const tags = [...(filters.tag ? [filters.tag] : []), ...(filters.tags ?? [])];
  if (tags.length) where.tags = { hasEvery: tags };
  for (const key of enumFilterKeys) {
    const value = filters[key];
    if (Array.isArray(value)) Object.assign(where, { [key]: { in: value } });
    else if (value) Object.assign(where, { [key]: value });
  }
  // AND-ed, so two bounds on one column (after and before) both apply.
  const bounds: Prisma.TicketWhereInput[] = [];
  for (const [key, { field, op }] of dateFilters) {
    const value = filters[key];
    if (value) bounds.push({ [field]: { [op]: new Date(value) } });
  }
  if (bounds.length) where.AND = bounds;
  if (filters.slaBreached !== undefined) where.slaBreachedAt = filters.slaBreached ? { not: null } : null;
  return where;
}

const slaDue = (now: Date): Prisma.TicketWhereInput => ({
  firstResponseAt: null,
  slaBreachedAt: null,
  slaDueAt: { lte: now },
  status: { in: [...SLA_ACTIVE_STATUSES] },
});
