import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  ForbiddenError,
  InvalidError,
  NotFoundError,
  VersionConflictError,
  assertScopes,
  clampLimit,
  decodeCursor,
  hasScope,
  systemPrincipal,
  toPage,
  type FieldError,
  type Page,
  type Principal,
  isUuid,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { appendEvent } from '@app/events';
import { writeAudit } from '@app/observability';
import { UsersService } from '@app/users';
import {
  toCommentDto,
  toTicketDto,
  type TicketCommentDto,
  type TicketDto,
  type TicketRow,
  type TicketWithCommentsDto,
} from './ticket.dto';
import { TICKETS_TOPIC, TICKET_EVENTS } from './ticket-events';
import { parseTicketQuery } from './ticket-search';
import { slaDueAt } from './ticket-sla';
import {
  SLA_ACTIVE_STATUSES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  assertTransition,
  stampsFor,
  type TicketPriorityName,
  type TicketStatusName,
} from './ticket-workflow';

export interface CreateTicketInput {
  title: string;
  description: string;
  priority?: TicketPriorityName;
  /** An unknown address becomes a viewer without a password. */
  requesterEmail?: string;
  requesterId?: string;
  tags?: string[];
  assigneeId?: string | null;
}

export interface UpdateTicketInput {
  expectedVersion?: number;
  status?: TicketStatusName;
  priority?: TicketPriorityName;
  /** null unassigns. */
  assigneeId?: string | null;
  tags?: string[];
  title?: string;
  description?: string;
}

export interface CommentInput {
  body: string;
  internal?: boolean;
}

export interface ListTicketsInput {
  query?: string;
  status?: TicketStatusName;
  priority?: TicketPriorityName;
  /** A user id, or `none` for unassigned tickets. */
  assigneeId?: string;
  requesterEmail?: string;
  tag?: string;
  limit?: number;
  cursor?: string | null;
}

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const COMMENT_MAX = 20_000;
export const TAGS_MAX = 20;
export const TAG_MAX = 50;

const PEOPLE = {
  requester: { select: { id: true, email: true, name: true } },
  assignee: { select: { id: true, email: true, name: true } },
} satisfies Prisma.TicketInclude;
const AUTHOR = {
  author: { select: { id: true, email: true, name: true } },
} satisfies Prisma.TicketCommentInclude;

/** Cursor of the plain list (number desc) and of a ranked search ([rank, number]). */
type ListCursor = { n: number } | { r: number; n: number };
const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as { n: unknown }).n) &&
  (!('r' in v) || typeof (v as { r: unknown }).r === 'number');
type CommentCursor = [string, string];
const isCommentCursor = (v: unknown): v is CommentCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string') && !isNaN(Date.parse(v[0]));

/** Tickets, their comments and workflow: every write is one transaction with its outbox event and audit entry. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async create(input: CreateTicketInput, actor: Principal): Promise<TicketDto> {
    assertScopes(actor, ['tickets:write']);
    const errors: FieldError[] = [];
    const title = checkTitle(input.title, errors);
    const description = checkDescription(input.description, errors);
    const priority = input.priority ?? 'normal';
    if (!TICKET_PRIORITIES.includes(priority)) errors.push(oneOf('priority', TICKET_PRIORITIES));
    const tags = normalizeTags(input.tags ?? [], errors);
    if (input.requesterEmail !== undefined && input.requesterId !== undefined) {
      errors.push({ field: 'requesterId', message: 'give requesterEmail or requesterId, not both' });
    }
    if (input.requesterEmail === undefined && input.requesterId === undefined && !actor.userId) {
      errors.push({ field: 'requesterEmail', message: 'is required' });
    }
    if (errors.length) throw new InvalidError('ticket is not valid', errors);

    return this.db.transaction(async (tx) => {
      const requesterId =
        input.requesterEmail !== undefined
          ? (await this.users.ensureRequester(tx, input.requesterEmail, actor)).id
          : await this.existingUserId(tx, input.requesterId ?? actor.userId!, 'requesterId');
      const assigneeId = input.assigneeId ? (await this.users.getAssignee(tx, input.assigneeId)).id : null;
      const now = new Date();
      const row = await tx.ticket.create({
        data: {
          title,
          description,
          priority,
          requesterId,
          assigneeId,
          tags,
          createdAt: now,
          updatedAt: now,
          slaDueAt: slaDueAt(priority, now, this.config.slaFirstResponseMinutes),
        },
        include: PEOPLE,
      });
      const dto = toTicketDto(row);
      await appendEvent(tx, {
        topic: TICKETS_TOPIC,
        event: TICKET_EVENTS.created,
        entityId: row.id,
        data: dto,
        actor,
      });
      await this.audit(tx, actor, 'ticket.create', row.number);
      return dto;
    });
  }

  /**
   * Changes fields and moves the ticket along the workflow ({@link TICKET_TRANSITIONS}). A call
   * that changes nothing returns the ticket as it is, without a new version or event.
   */
  async update(number: number, input: UpdateTicketInput, actor: Principal): Promise<TicketDto> {
    assertScopes(actor, ['tickets:write']);
    const errors: FieldError[] = [];
    const title = input.title === undefined ? undefined : checkTitle(input.title, errors);
    const description =
      input.description === undefined ? undefined : checkDescription(input.description, errors);
    const tags = input.tags === undefined ? undefined : normalizeTags(input.tags, errors);
    if (input.status !== undefined && !TICKET_STATUSES.includes(input.status))
      errors.push(oneOf('status', TICKET_STATUSES));
    if (input.priority !== undefined && !TICKET_PRIORITIES.includes(input.priority))
      errors.push(oneOf('priority', TICKET_PRIORITIES));
    if (errors.length) throw new InvalidError('ticket update is not valid', errors);

    return this.db.transaction(async (tx) => {
      const current = await this.lockTicket(tx, number);
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new VersionConflictError('ticket', number, input.expectedVersion, current.version);
      }
      const now = new Date();
      const data: Prisma.TicketUncheckedUpdateManyInput = {};
      const changes: string[] = [];
      if (input.status !== undefined && input.status !== current.status) {
        assertTransition(number, current.status, input.status);
        Object.assign(data, { status: input.status }, stampsFor(input.status, current, now));
        changes.push(`status ${current.status}→${input.status}`);
      }
      if (input.priority !== undefined && input.priority !== current.priority) {
        data.priority = input.priority;
        // The deadline follows the priority until someone has answered.
        if (!current.firstResponseAt) {
          data.slaDueAt = slaDueAt(input.priority, current.createdAt, this.config.slaFirstResponseMinutes);
        }
        changes.push(`priority ${current.priority}→${input.priority}`);
      }
      if (input.assigneeId !== undefined && input.assigneeId !== current.assigneeId) {
        data.assigneeId =
          input.assigneeId === null ? null : (await this.users.getAssignee(tx, input.assigneeId)).id;
        changes.push('assignee');
      }
      if (tags !== undefined && !sameList(tags, current.tags)) {
        data.tags = tags;
        changes.push('tags');
      }
      if (title !== undefined && title !== current.title) {
        data.title = title;
        changes.push('title');
      }
      if (description !== undefined && description !== current.description) {
        data.description = description;
        changes.push('description');
      }
      if (!changes.length) return toTicketDto(current);

      const row = await this.bump(tx, current, { ...data, updatedAt: now });
      const dto = toTicketDto(row);
      await appendEvent(tx, {
        topic: TICKETS_TOPIC,
        event: TICKET_EVENTS.updated,
        entityId: row.id,
        data: dto,
        actor,
      });
      await this.audit(tx, actor, 'ticket.update', number, changes.join('; '));
      return dto;
    });
  }

  /**
   * Adds a comment. The first public comment by someone other than the requester is the first
   * response (it stops the SLA clock).
   */
  async comment(number: number, input: CommentInput, actor: Principal): Promise<TicketCommentDto> {
    assertScopes(actor, ['tickets:write']);
    if (!actor.userId) throw new ForbiddenError('comments are written by a user; this caller has none');
    const body = (input.body ?? '').trim();
    if (!body || body.length > COMMENT_MAX) {
      throw new InvalidError('comment is not valid', [
        { field: 'body', message: `must be 1 to ${COMMENT_MAX} characters` },
      ]);
    }
    const internal = input.internal ?? false;
    const authorId = actor.userId;

    return this.db.transaction(async (tx) => {
      const current = await this.lockTicket(tx, number);
      const now = new Date();
      const comment = await tx.ticketComment.create({
        data: { ticketId: current.id, authorId, body, internal, createdAt: now },
        include: AUTHOR,
      });
      const firstResponse = !internal && !current.firstResponseAt && authorId !== current.requesterId;
      const row = await this.bump(tx, current, {
        updatedAt: now,
        ...(firstResponse ? { firstResponseAt: now } : {}),
      });
      const dto = toCommentDto(comment, number);
      await appendEvent(tx, {
        topic: TICKETS_TOPIC,
        event: TICKET_EVENTS.commented,
        entityId: row.id,
        // Every tickets:read subscriber gets this event, so an internal comment travels without its body.
        data: { number, ticket: toTicketDto(row), comment: internal ? { ...dto, body: undefined } : dto },
        actor,
      });
      await this.audit(tx, actor, 'ticket.comment', number, internal ? 'internal' : undefined);
      return dto;
    });
  }

  /** One ticket with its comments; internal comments only for callers who may write tickets. */
  async get(number: number, viewer: Principal): Promise<TicketWithCommentsDto> {
    assertScopes(viewer, ['tickets:read']);
    const row = await this.db.prisma.ticket.findUnique({
      where: { number: checkNumber(number) },
      include: {
        ...PEOPLE,
        comments: {
          where: seesInternal(viewer) ? {} : { internal: false },
          include: AUTHOR,
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        },
      },
    });
    if (!row) throw new NotFoundError('ticket', number);
    return { ...toTicketDto(row), comments: row.comments.map((c) => toCommentDto(c, number)) };
  }

  /** Comments oldest first, keyset-paginated on (createdAt, id). */
  async listComments(
    number: number,
    viewer: Principal,
    page: { limit?: number; cursor?: string | null } = {},
  ): Promise<Page<TicketCommentDto>> {
    assertScopes(viewer, ['tickets:read']);
    const limit = clampLimit(page.limit);
    const after = decodeCursor(page.cursor, isCommentCursor);
    const ticket = await this.db.prisma.ticket.findUnique({
      where: { number: checkNumber(number) },
      select: { id: true },
    });
    if (!ticket) throw new NotFoundError('ticket', number);
    const at = after ? new Date(after[0]) : null;
    const rows = await this.db.prisma.ticketComment.findMany({
      where: {
        ticketId: ticket.id,
        ...(seesInternal(viewer) ? {} : { internal: false }),
        ...(at ? { OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: after![1] } }] } : {}),
      },
      include: AUTHOR,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    return toPage(
      rows,
      limit,
      (c) => toCommentDto(c, number),
      (c) => [c.createdAt.toISOString(), c.id],
    );
  }

  /**
   * Newest first (number desc); with `query`, best match first (rank desc, then number desc).
   * Filters combine with AND.
   */
  async list(input: ListTicketsInput, viewer: Principal): Promise<Page<TicketDto>> {
    assertScopes(viewer, ['tickets:read']);
    const limit = clampLimit(input.limit);
    const errors: FieldError[] = [];
    if (input.status !== undefined && !TICKET_STATUSES.includes(input.status))
      errors.push(oneOf('status', TICKET_STATUSES));
    if (input.priority !== undefined && !TICKET_PRIORITIES.includes(input.priority))
      errors.push(oneOf('priority', TICKET_PRIORITIES));
    if (input.assigneeId !== undefined && input.assigneeId !== 'none' && !isUuid(input.assigneeId))
      errors.push({ field: 'assigneeId', message: 'must be a user id or "none"' });
    if (errors.length) throw new InvalidError('ticket filters are not valid', errors);
    const after = decodeCursor(input.cursor, isListCursor);
    const q = input.query === undefined ? null : parseTicketQuery(input.query);
    return q ? this.search(input, q, limit, after) : this.listNewest(input, limit, after);
  }

  /**
   * For the SLA job: stamps slaBreachedAt on an open or pending ticket whose first-response
   * deadline has passed with no response, once. Returns whether it fired (and emitted
   * `ticket.sla_breached`); concurrent calls fire at most once.
   */
  async markSlaBreached(
    number: number,
    actor: Principal = systemPrincipal('job', 'sla'),
    now = new Date(),
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { count } = await tx.ticket.updateMany({
        where: {
          number,
          firstResponseAt: null,
          slaBreachedAt: null,
          slaDueAt: { lte: now },
          status: { in: [...SLA_ACTIVE_STATUSES] },
        },
        data: { slaBreachedAt: now, updatedAt: now, version: { increment: 1 } },
      });
      if (count === 0) return false;
      const row = await tx.ticket.findUniqueOrThrow({ where: { number }, include: PEOPLE });
      await appendEvent(tx, {
        topic: TICKETS_TOPIC,
        event: TICKET_EVENTS.slaBreached,
        entityId: row.id,
        data: toTicketDto(row),
        actor,
      });
      await this.audit(tx, actor, 'ticket.sla_breached', number);
      return true;
    });
  }

  /** Numbers of tickets whose SLA is due at `now` and not yet marked (for the SLA job), earliest first. */
  async listSlaDue(now = new Date(), limit = 100): Promise<number[]> {
    const rows = await this.db.prisma.ticket.findMany({
      where: {
        firstResponseAt: null,
        slaBreachedAt: null,
        slaDueAt: { lte: now },
        status: { in: [...SLA_ACTIVE_STATUSES] },
      },
      select: { number: true },
      orderBy: [{ slaDueAt: 'asc' }, { number: 'asc' }],
      take: limit,
    });
    return rows.map((r) => r.number);
  }

  private async listNewest(
    input: ListTicketsInput,
    limit: number,
    after: ListCursor | null,
  ): Promise<Page<TicketDto>> {
    const rows = await this.db.prisma.ticket.findMany({
      where: {
        ...(input.status ? { status: input.status } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        ...(input.assigneeId ? { assigneeId: input.assigneeId === 'none' ? null : input.assigneeId } : {}),
        ...(input.requesterEmail ? { requester: { email: input.requesterEmail.trim().toLowerCase() } } : {}),
        ...(input.tag ? { tags: { has: normalizeTag(input.tag) } } : {}),
        ...(after ? { number: { lt: after.n } } : {}),
      },
      include: PEOPLE,
      orderBy: { number: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, toTicketDto, (t) => ({ n: t.number }));
  }

  private async search(
    input: ListTicketsInput,
    q: NonNullable<ReturnType<typeof parseTicketQuery>>,
    limit: number,
    after: ListCursor | null,
  ): Promise<Page<TicketDto>> {
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
    const filters = [Prisma.sql`(${Prisma.join(matches, ' OR ')})`];
    if (input.status) filters.push(Prisma.sql`t.status = CAST(${input.status} AS "TicketStatus")`);
    if (input.priority) filters.push(Prisma.sql`t.priority = CAST(${input.priority} AS "TicketPriority")`);
    if (input.assigneeId === 'none') filters.push(Prisma.sql`t.assignee_id IS NULL`);
    else if (input.assigneeId) filters.push(Prisma.sql`t.assignee_id = ${input.assigneeId}::uuid`);
    if (input.requesterEmail) {
      filters.push(
        Prisma.sql`t.requester_id IN (SELECT id FROM "user" WHERE email = ${input.requesterEmail.trim().toLowerCase()})`,
      );
    }
    if (input.tag) filters.push(Prisma.sql`${normalizeTag(input.tag)} = ANY(t.tags)`);
    const page =
      after && 'r' in after
        ? Prisma.sql`WHERE s.rank < ${after.r}::float8 OR (s.rank = ${after.r}::float8 AND s.number < ${after.n}::int)`
        : after
          ? Prisma.sql`WHERE s.number < ${after.n}::int`
          : Prisma.empty;
    const hits = await this.db.prisma.$queryRaw<{ id: string; number: number; rank: number }[]>`
      SELECT s.id, s.number, s.rank FROM (
        SELECT t.id::text AS id, t.number, ${rank} AS rank FROM ticket t WHERE ${Prisma.join(filters, ' AND ')}
      ) s ${page}
      ORDER BY s.rank DESC, s.number DESC
      LIMIT ${limit + 1}::int`;
    const rows = await this.db.prisma.ticket.findMany({
      where: { id: { in: hits.map((h) => h.id) } },
      include: PEOPLE,
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ordered = hits.flatMap((h) => {
      const row = byId.get(h.id);
      return row ? [{ row, rank: Number(h.rank) }] : [];
    });
    return toPage(
      ordered,
      limit,
      (h) => toTicketDto(h.row),
      (h) => ({ r: h.rank, n: h.row.number }),
    );
  }

  /** Reads the ticket under a row lock so concurrent writers to it run one after the other. */
  private async lockTicket(tx: Tx, number: number): Promise<TicketRow> {
    checkNumber(number);
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM ticket WHERE number = ${number}::int FOR UPDATE`;
    if (!locked.length) throw new NotFoundError('ticket', number);
    return tx.ticket.findUniqueOrThrow({ where: { id: locked[0].id }, include: PEOPLE });
  }

  /** Applies `data` with the version bump, guarded by the version that was read. */
  private async bump(
    tx: Tx,
    current: TicketRow,
    data: Prisma.TicketUncheckedUpdateManyInput,
  ): Promise<TicketRow> {
    const { count } = await tx.ticket.updateMany({
      where: { id: current.id, version: current.version },
      data: { ...data, version: current.version + 1 },
    });
    if (count === 0) {
      const latest = await tx.ticket.findUniqueOrThrow({
        where: { id: current.id },
        select: { version: true },
      });
      throw new VersionConflictError('ticket', current.number, current.version, latest.version);
    }
    return tx.ticket.findUniqueOrThrow({ where: { id: current.id }, include: PEOPLE });
  }

  private async existingUserId(tx: Tx, id: string, field: string): Promise<string> {
    const user = isUuid(id) ? await tx.user.findUnique({ where: { id }, select: { id: true } }) : null;
    if (!user)
      throw new InvalidError(`${field} does not name a user`, [{ field, message: 'no user with this id' }]);
    return user.id;
  }

  private audit(tx: Tx, actor: Principal, action: string, number: number, detail?: string): Promise<void> {
    return writeAudit(tx, {
      actor,
      action,
      targetType: 'ticket',
      targetId: String(number),
      outcome: 'success',
      detail,
    });
  }
}

const seesInternal = (p: Principal): boolean => hasScope(p, 'tickets:write');

const oneOf = (field: string, values: readonly string[]): FieldError => ({
  field,
  message: `must be one of ${values.join(', ')}`,
});

function checkNumber(number: number): number {
  if (!Number.isInteger(number) || number < 1 || number > 2_147_483_647) {
    throw new InvalidError('ticket number must be a positive integer', [
      { field: 'number', message: 'must be a positive integer' },
    ]);
  }
  return number;
}

function checkTitle(raw: string | undefined, errors: FieldError[]): string {
  const title = (raw ?? '').trim();
  if (!title || title.length > TITLE_MAX)
    errors.push({ field: 'title', message: `must be 1 to ${TITLE_MAX} characters` });
  return title;
}

function checkDescription(raw: string | undefined, errors: FieldError[]): string {
  const description = (raw ?? '').trim();
  if (description.length > DESCRIPTION_MAX) {
    errors.push({ field: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` });
  }
  return description;
}

const normalizeTag = (tag: string): string => tag.trim().toLowerCase();

/** Tags are trimmed, lower-cased and de-duplicated, keeping their order. */
function normalizeTags(raw: string[], errors: FieldError[]): string[] {
  const tags = [...new Set(raw.map(normalizeTag).filter(Boolean))];
  if (tags.length > TAGS_MAX) errors.push({ field: 'tags', message: `at most ${TAGS_MAX} tags` });
  if (tags.some((t) => t.length > TAG_MAX))
    errors.push({ field: 'tags', message: `each tag at most ${TAG_MAX} characters` });
  return tags;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
