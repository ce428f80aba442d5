import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  ForbiddenError,
  InvalidError,
  assertScopes,
  clampLimit,
  decodeCursor,
  hasScope,
  isUuid,
  parseInput,
  systemPrincipal,
  toPage,
  type FieldError,
  type Page,
  type Principal,
} from '@app/core';
import { DatabaseService, type Prisma, type Tx } from '@app/database';
import { changedFields, recordChange, versionedUpdate, type Change } from '@app/events';
import type { AuditAction } from '@app/observability';
import { UsersService } from '@app/users';
import { TICKETS_TOPIC, TICKET_EVENTS } from './ticket-events';
import {
  TicketRepository,
  toCommentDto,
  toTicketDto,
  type CommentCursor,
  type ListCursor,
  type TicketRow,
} from './ticket.repository';
import {
  TAGS_MAX,
  commentInputSchema,
  createTicketSchema,
  listTicketsSchema,
  searchTicketsSchema,
  updateTicketSchema,
  type CommentInput,
  type CreateTicketInput,
  type ListTicketsInput,
  type SearchTicketsInput,
  type TicketCommentDto,
  type TicketDto,
  type TicketWithCommentsDto,
  type UpdateTicketInput,
} from './ticket.schema';
import { parseTicketQuery } from './ticket-search';
import { slaDueAt } from './ticket-sla';
import { assertTransition, stampsFor } from './ticket-workflow';

const isListCursor = (v: unknown): v is ListCursor =>
  typeof v === 'object' &&
  v !== null &&
  ((Number.isInteger((v as { n: unknown }).n) &&
    (!('r' in v) || typeof (v as { r: unknown }).r === 'number')) ||
    (Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0));
const isCommentCursor = (v: unknown): v is CommentCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string') && !isNaN(Date.parse(v[0]));

/**
 * Tickets, their comments and workflow: the rules. Input is validated with the schemas of
 * ticket.schema.ts; SQL lives in TicketRepository; every write follows the write recipe of
 * @app/events (locked read → versioned update → event → audit, no-op = nothing written).
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly repo: TicketRepository,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async create(raw: CreateTicketInput, actor: Principal): Promise<TicketDto> {
    assertScopes(actor, ['tickets:write']);
    const { requesterEmail, requesterId, assigneeId, ...fields } = parseInput(
      createTicketSchema,
      raw,
      'ticket',
    );
    const errors: FieldError[] = [];
    if (requesterEmail !== undefined && requesterId !== undefined) {
      errors.push({ field: 'requesterId', message: 'give requesterEmail or requesterId, not both' });
    }
    if (requesterEmail === undefined && requesterId === undefined && !actor.userId) {
      errors.push({ field: 'requesterEmail', message: 'is required' });
    }
    if (errors.length) throw new InvalidError('ticket is not valid', errors);

    return this.db(async (tx) => {
      const requester =
        requesterEmail !== undefined
          ? (await this.users.ensureRequester(tx, requesterEmail, actor)).id
          : await this.existingUserId(tx, requesterId ?? actor.userId!, 'requesterId');
      const assignee = assigneeId ? (await this.users.getAssignee(tx, assigneeId)).id : null;
      const now = new Date();
      const row = await this.repo.create(tx, {
        ...fields,
        requesterId: requester,
        assigneeId: assignee,
        createdAt: now,
        updatedAt: now,
        slaDueAt: slaDueAt(fields.priority, now, this.config.slaFirstResponseMinutes),
      });
      const dto = toTicketDto(row);
      await recordChange(tx, this.change(TICKET_EVENTS.created, row, dto, actor, 'ticket.create'));
      return dto;
    });
  }

  /**
   * Changes fields and moves the ticket along the workflow ({@link TICKET_TRANSITIONS}). A call
   * that changes nothing returns the ticket as it is, without a new version or event.
   */
  async update(number: number, raw: UpdateTicketInput, actor: Principal): Promise<TicketDto> {
    return (await this.updateDetailed(number, raw, actor)).ticket;
  }

  /** {@link update}, also naming the tags it added and removed (so a replaced list is never silent). */
  async updateDetailed(
    number: number,
    raw: UpdateTicketInput,
    actor: Principal,
  ): Promise<{ ticket: TicketDto; tagsAdded: string[]; tagsRemoved: string[] }> {
    assertScopes(actor, ['tickets:write']);
    const { expectedVersion, addTags, removeTags, ...wanted } = parseInput(
      updateTicketSchema,
      raw,
      'ticket update',
    );
    if (wanted.tags !== undefined && (addTags !== undefined || removeTags !== undefined)) {
      throw new InvalidError('ticket update is not valid', [
        { field: 'tags', message: 'give tags (the whole list) or addTags/removeTags, not both' },
      ]);
    }
    return this.db(async (tx) => {
      const current = await this.repo.lock(tx, checkNumber(number));
      // Added and removed tags apply to the list as stored now (under the row lock).
      if (addTags !== undefined || removeTags !== undefined) {
        wanted.tags = editTags(current.tags, addTags ?? [], removeTags ?? []);
      }
      const { row } = await versionedUpdate(tx, {
        entity: 'ticket',
        key: number,
        current,
        expectedVersion,
        plan: async () => {
          const changes: Prisma.TicketUncheckedUpdateInput = changedFields(current, wanted);
          if (!Object.keys(changes).length) return changes;
          const now = new Date();
          if (changes.status !== undefined) {
            assertTransition(number, current.status, wanted.status!);
            Object.assign(changes, stampsFor(wanted.status!, current, now));
          }
          // The deadline follows the priority until someone has answered.
          if (changes.priority !== undefined && !current.firstResponseAt) {
            changes.slaDueAt = slaDueAt(
              wanted.priority!,
              current.createdAt,
              this.config.slaFirstResponseMinutes,
            );
          }
          if (typeof changes.assigneeId === 'string') {
            changes.assigneeId = (await this.users.getAssignee(tx, changes.assigneeId)).id;
          }
          return { ...changes, updatedAt: now };
        },
        save: (data) => this.repo.update(tx, current.id, data),
        change: (r) =>
          this.change(TICKET_EVENTS.updated, r, toTicketDto(r), actor, 'ticket.update', describe(current, r)),
      });
      return {
        ticket: toTicketDto(row),
        tagsAdded: row.tags.filter((t) => !current.tags.includes(t)),
        tagsRemoved: current.tags.filter((t) => !row.tags.includes(t)),
      };
    });
  }

  /**
   * Adds a comment. The first public comment by someone other than the requester is the first
   * response (it stops the SLA clock).
   */
  async comment(number: number, raw: CommentInput, actor: Principal): Promise<TicketCommentDto> {
    return (await this.commentAndUpdate(number, raw, actor)).comment;
  }

  /**
   * Adds a comment and, with `status`, moves the ticket along the workflow in the same
   * transaction (one new version). Returns the comment and the ticket as it now is, so a caller
   * can chain its next change on the new version.
   */
  async commentAndUpdate(
    number: number,
    raw: CommentInput,
    actor: Principal,
  ): Promise<{ comment: TicketCommentDto; ticket: TicketDto }> {
    assertScopes(actor, ['tickets:write']);
    if (!actor.userId) throw new ForbiddenError('comments are written by a user; this caller has none');
    const { body, internal, status } = parseInput(commentInputSchema, raw, 'comment');
    const authorId = actor.userId;

    return this.db(async (tx) => {
      const current = await this.repo.lock(tx, checkNumber(number));
      const now = new Date();
      const moves = status !== undefined && status !== current.status;
      if (moves) assertTransition(number, current.status, status);
      const comment = await this.repo.addComment(tx, {
        ticketId: current.id,
        authorId,
        body,
        internal,
        createdAt: now,
      });
      const firstResponse = !internal && !current.firstResponseAt && authorId !== current.requesterId;
      const row = await this.repo.update(tx, current.id, {
        updatedAt: now,
        version: current.version + 1,
        ...(firstResponse ? { firstResponseAt: now } : {}),
        ...(moves ? { status, ...stampsFor(status, current, now) } : {}),
      });
      const dto = toCommentDto(comment, number);
      const ticket = toTicketDto(row);
      // Every tickets:read subscriber gets this event, so an internal comment travels without its body.
      const data = { number, ticket, comment: internal ? { ...dto, body: undefined } : dto };
      await recordChange(
        tx,
        this.change(
          TICKET_EVENTS.commented,
          row,
          data,
          actor,
          'ticket.comment',
          internal ? 'internal' : undefined,
        ),
      );
      if (moves) {
        await recordChange(
          tx,
          this.change(TICKET_EVENTS.updated, row, ticket, actor, 'ticket.update', describe(current, row)),
        );
      }
      return { comment: dto, ticket };
    });
  }

  /** One ticket with its comments; internal comments only for callers who may write tickets. */
  async get(number: number, viewer: Principal): Promise<TicketWithCommentsDto> {
    assertScopes(viewer, ['tickets:read']);
    const row = await this.repo.getWithComments(checkNumber(number), seesInternal(viewer));
    return { ...toTicketDto(row), comments: row.comments.map((c) => toCommentDto(c, number)) };
  }

  /**
   * One ticket with the first page of its comments (oldest first) and the cursor of the next page
   * for {@link listComments}; null when that was all of them.
   */
  async getWithCommentPage(
    number: number,
    viewer: Principal,
    commentLimit?: number,
  ): Promise<TicketWithCommentsDto & { commentsNextCursor: string | null }> {
    assertScopes(viewer, ['tickets:read']);
    const limit = clampLimit(commentLimit);
    const row = await this.repo.getWithComments(checkNumber(number), seesInternal(viewer), limit + 1);
    const page = toPage(
      row.comments,
      limit,
      (c) => toCommentDto(c, number),
      (c) => [c.createdAt.toISOString(), c.id],
    );
    return { ...toTicketDto(row), comments: page.items, commentsNextCursor: page.nextCursor };
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
    const rows = await this.repo.comments(checkNumber(number), seesInternal(viewer), after, limit + 1);
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
  async list(raw: ListTicketsInput, viewer: Principal): Promise<Page<TicketDto>> {
    assertScopes(viewer, ['tickets:read']);
    const {
      query,
      limit: rawLimit,
      cursor,
      ...filters
    } = parseInput(listTicketsSchema, raw, 'ticket filters');
    const limit = clampLimit(rawLimit);
    const after = decodeCursor(cursor, isListCursor);
    const q = query === undefined ? null : parseTicketQuery(query);
    if (!q) {
      const rows = await this.repo.newest(filters, after, limit + 1);
      return toPage(rows, limit, toTicketDto, (t) => ({ n: t.number }));
    }
    const hits = await this.repo.search(filters, q, after, limit + 1);
    return toPage(
      hits,
      limit,
      (h) => toTicketDto(h.row),
      (h) => ({ r: h.rank, n: h.row.number }),
    );
  }

  /**
   * Search with several statuses, tags, created/updated-since, SLA-breached and a sort (MCP
   * search_tickets). Without sort it is {@link list}'s order: best match with a query, else newest.
   */
  async search(raw: SearchTicketsInput, viewer: Principal): Promise<Page<TicketDto>> {
    assertScopes(viewer, ['tickets:read']);
    const {
      query,
      limit: rawLimit,
      cursor,
      sort,
      order,
      ...filters
    } = parseInput(searchTicketsSchema, raw, 'ticket search');
    const limit = clampLimit(rawLimit);
    const after = decodeCursor(cursor, isListCursor);
    const q = query === undefined || query.trim() === '' ? null : parseTicketQuery(query);
    if (sort || (after && 'o' in after)) {
      if (q) {
        throw new InvalidError('sort orders a filtered list; with a query, results are best match first', [
          { field: 'sort', message: 'omit query to sort, or omit sort' },
        ]);
      }
      const offset = after && 'o' in after ? after.o : 0;
      const rows = await this.repo.sorted(
        filters,
        { by: sort ?? 'created', order: order ?? 'desc' },
        offset,
        limit + 1,
      );
      return toPage(rows, limit, toTicketDto, () => ({ o: offset + limit }));
    }
    if (!q) {
      const rows = await this.repo.newest(filters, after, limit + 1);
      return toPage(rows, limit, toTicketDto, (t) => ({ n: t.number }));
    }
    const hits = await this.repo.search(filters, q, after, limit + 1);
    return toPage(
      hits,
      limit,
      (h) => toTicketDto(h.row),
      (h) => ({ r: h.rank, n: h.row.number }),
    );
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
    return this.db(async (tx) => {
      const row = await this.repo.stampSlaBreach(tx, number, now);
      if (!row) return false;
      await recordChange(
        tx,
        this.change(TICKET_EVENTS.slaBreached, row, toTicketDto(row), actor, 'ticket.sla_breached'),
      );
      return true;
    });
  }

  /** Ticket numbers whose digits start with `prefix`, newest first: for argument completion. */
  numbersStartingWith(prefix: string, limit: number): Promise<number[]> {
    return /^\d{0,9}$/.test(prefix) ? this.repo.numbersStartingWith(prefix, limit) : Promise.resolve([]);
  }

  /** Numbers of tickets whose SLA is due at `now` and not yet marked (for the SLA job), earliest first. */
  listSlaDue(now = new Date(), limit = 100): Promise<number[]> {
    return this.repo.slaDueNumbers(now, limit);
  }

  private db<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }

  private change(
    event: string,
    row: TicketRow,
    data: object,
    actor: Principal,
    action: AuditAction,
    detail?: string,
  ): Change {
    return {
      topic: TICKETS_TOPIC,
      event,
      entityId: row.id,
      data,
      actor,
      audit: { action, targetType: 'ticket', targetId: String(row.number), detail },
    };
  }

  private async existingUserId(tx: Tx, id: string, field: string): Promise<string> {
    if (!isUuid(id) || !(await this.repo.userExists(tx, id)))
      throw new InvalidError(`${field} does not name a user`, [{ field, message: 'no user with this id' }]);
    return id;
  }
}

/** `tags` plus `add` (at the end, in order) minus `remove`; within the limit of a ticket's tags. */
export function editTags(tags: string[], add: string[], remove: string[]): string[] {
  const out = [...new Set([...tags, ...add])].filter((t) => !remove.includes(t));
  if (out.length > TAGS_MAX) {
    throw new InvalidError('ticket update is not valid', [
      { field: 'addTags', message: `a ticket carries at most ${TAGS_MAX} tags` },
    ]);
  }
  return out;
}

const seesInternal = (p: Principal): boolean => hasScope(p, 'tickets:write');

function checkNumber(number: number): number {
  if (!Number.isInteger(number) || number < 1 || number > 2_147_483_647) {
    throw new InvalidError('ticket number must be a positive integer', [
      { field: 'number', message: 'must be a positive integer' },
    ]);
  }
  return number;
}

const DESCRIBED = ['status', 'priority', 'assigneeId', 'tags', 'title', 'description'] as const;

/** The audit detail of an update: `status open→resolved; priority low→high; assigneeId; tags`. */
function describe(before: TicketRow, after: TicketRow): string {
  return DESCRIBED.filter((k) => changedFields(before, { [k]: after[k] })[k] !== undefined)
    .map((k) => (k === 'status' || k === 'priority' ? `${k} ${before[k]}→${after[k]}` : k))
    .join('; ');
}
