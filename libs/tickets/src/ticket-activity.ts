import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { NotFoundError, assertScopes, hasScope, isoDateTime, userRefSchema, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';
import { TICKETS_TOPIC, TICKET_EVENTS } from './ticket-events';
import { toCommentDto } from './ticket.repository';
import { ticketCommentSchema, type TicketCommentDto } from './ticket.schema';

/**
 * A ticket's activity: its comments and its field changes in one timeline, oldest first. The
 * changes are read from the ticket's outbox events (each carries the ticket as it was after
 * the change), by comparing each snapshot with the one before.
 */

/** Fields whose changes the timeline shows. */
export const ACTIVITY_FIELDS = ['status', 'priority', 'assignee', 'channel', 'tags', 'title'] as const;
/** At most this many events and comments are read; a longer history keeps its newest part. */
export const ACTIVITY_MAX = 1000;

const fieldChangeSchema = z.object({
  field: z.enum(ACTIVITY_FIELDS),
  from: z.string().nullable(),
  to: z.string().nullable(),
});

export const ticketActivitySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('comment'),
    at: isoDateTime,
    comment: ticketCommentSchema,
  }),
  z.object({
    type: z.literal('change'),
    at: isoDateTime,
    event: z
      .enum([TICKET_EVENTS.created, TICKET_EVENTS.updated, TICKET_EVENTS.slaBreached])
      .meta({ example: 'ticket.updated' }),
    actor: userRefSchema.nullable().meta({ description: 'Who made the change (null: the system)' }),
    changes: z.array(fieldChangeSchema).meta({
      description:
        'What changed (display values; assignee by name). Empty for ticket.created and ticket.sla_breached',
    }),
  }),
]);
export type TicketActivityDto = z.infer<typeof ticketActivitySchema>;
type ChangeEventName = Extract<TicketActivityDto, { type: 'change' }>['event'];
export const ticketActivityListSchema = z.object({
  items: z.array(ticketActivitySchema),
  truncated: z
    .boolean()
    .meta({ description: `True when older activity beyond ${ACTIVITY_MAX} entries was left out` }),
});
export type TicketActivityList = z.infer<typeof ticketActivityListSchema>;

/** The part of a ticket event's payload the timeline reads. */
interface Snapshot {
  status?: string;
  priority?: string;
  channel?: string;
  title?: string;
  tags?: string[];
  assigneeId?: string | null;
  assignee?: { name?: string; email?: string } | null;
}

const snapshotOf = (event: string, payload: unknown): Snapshot | null => {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const t = event === TICKET_EVENTS.commented ? p.ticket : p;
  return t && typeof t === 'object' ? (t as Snapshot) : null;
};

const display = (s: Snapshot, field: (typeof ACTIVITY_FIELDS)[number]): string | null => {
  if (field === 'assignee')
    return s.assigneeId ? s.assignee?.name || s.assignee?.email || s.assigneeId : null;
  if (field === 'tags') return s.tags?.length ? s.tags.join(', ') : null;
  return s[field] ?? null;
};

/** The field changes from one snapshot to the next. */
export function diffSnapshots(before: Snapshot, after: Snapshot): z.infer<typeof fieldChangeSchema>[] {
  return ACTIVITY_FIELDS.flatMap((field) => {
    const from = display(before, field);
    const to = display(after, field);
    return from === to ? [] : [{ field, from, to }];
  });
}

@Injectable()
export class TicketActivityService {
  constructor(private readonly database: DatabaseService) {}

  /** Comments (internal ones only for callers who may write tickets) and changes, oldest first. */
  async activity(number: number, viewer: Principal): Promise<TicketActivityList> {
    assertScopes(viewer, ['tickets:read']);
    const db = this.database.prisma;
    const ticket = Number.isInteger(number)
      ? await db.ticket.findUnique({ where: { number }, select: { id: true } })
      : null;
    if (!ticket) throw new NotFoundError('ticket', number);
    const [events, comments] = await Promise.all([
      db.event.findMany({
        where: { entityId: ticket.id, topic: TICKETS_TOPIC },
        orderBy: { id: 'desc' },
        take: ACTIVITY_MAX + 1,
      }),
      db.ticketComment.findMany({
        where: { ticketId: ticket.id, ...(hasScope(viewer, 'tickets:write') ? {} : { internal: false }) },
        include: { author: { select: { id: true, email: true, name: true } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: ACTIVITY_MAX,
      }),
    ]);
    const truncated = events.length > ACTIVITY_MAX || comments.length === ACTIVITY_MAX;
    events.reverse();
    const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => !!id))];
    const actors = new Map(
      (
        await db.user.findMany({
          where: { id: { in: actorIds } },
          select: { id: true, email: true, name: true },
        })
      ).map((u) => [u.id, u]),
    );

    const items: TicketActivityDto[] = [];
    let previous: Snapshot | null = null;
    for (const e of events) {
      const snap = snapshotOf(e.event, e.payload);
      if (!snap) continue;
      const changes = previous ? diffSnapshots(previous, snap) : [];
      previous = snap;
      // A comment event that moved no field is already in the timeline as its comment.
      if (e.event === TICKET_EVENTS.commented && !changes.length) continue;
      if (e.event === TICKET_EVENTS.updated && !changes.length) continue;
      items.push({
        type: 'change',
        at: e.createdAt.toISOString(),
        event: e.event === TICKET_EVENTS.commented ? TICKET_EVENTS.updated : (e.event as ChangeEventName),
        actor: e.actorId ? (actors.get(e.actorId) ?? null) : null,
        changes,
      });
    }
    for (const c of comments) {
      const comment: TicketCommentDto = toCommentDto(c, number);
      items.push({ type: 'comment', at: comment.createdAt, comment });
    }
    // Oldest first; at the same instant a comment comes before the change it made.
    items.sort((a, b) => a.at.localeCompare(b.at) || (a.type === b.type ? 0 : a.type === 'comment' ? -1 : 1));
    return ticketActivityListSchema.parse({ items, truncated });
  }
}
