import type { Tx } from '@app/database';
import { currentTraceparent, type Principal } from '@app/core';

export const TOPICS = ['documents', 'tickets', 'users'] as const;
export type Topic = (typeof TOPICS)[number];

export interface NewEvent {
  topic: Topic;
  /** e.g. document.created, ticket.updated, ticket.commented, user.updated */
  event: string;
  entityId: string;
  data: object;
  actor?: Principal | null;
}

/** What subscribers receive (contract section 6). */
export interface ChangeEvent {
  id: number;
  topic: Topic;
  event: string;
  entityId: string;
  data: Record<string, unknown>;
  actorId: string | null;
  at: string;
}

/**
 * Appends one event to the outbox inside the caller's transaction: it commits with the change
 * or not at all.
 *
 * The row's public id is assigned at COMMIT, in commit order, by a deferred trigger under a
 * transaction-level advisory lock (migration `outbox_commit_order`): until then it carries a
 * provisional negative id. So a reader that has seen id N never later finds a committed id
 * below N (the stream has no holes to skip), while concurrent writers only serialise for the
 * commit itself, not from this INSERT to their COMMIT.
 */
export async function appendEvent(tx: Tx, e: NewEvent): Promise<void> {
  await tx.event.create({
    data: {
      topic: e.topic,
      event: e.event,
      entityId: e.entityId,
      payload: JSON.parse(JSON.stringify(e.data)),
      actorId: e.actor?.userId ?? null,
      // Work that starts from this event later (webhook deliveries) continues the writer's trace.
      traceParent: currentTraceparent(),
    },
    select: { id: true },
  });
}

/**
 * Appends several events in one statement inside the caller's transaction (bulk writes: one
 * event per changed record, as appendEvent, without a round trip each). Their ids follow the
 * order of `events` (assigned at commit, see appendEvent).
 */
export async function appendEvents(tx: Tx, events: readonly NewEvent[]): Promise<void> {
  if (!events.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO event (topic, event, entity_id, payload, actor_id, trace_parent)
     SELECT topic, event, entity_id, payload, actor_id, $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[])
         WITH ORDINALITY AS x(topic, event, entity_id, payload, actor_id, n)
      ORDER BY n`,
    events.map((e) => e.topic),
    events.map((e) => e.event),
    events.map((e) => e.entityId),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => e.actor?.userId ?? null),
    currentTraceparent() ?? null,
  );
}

export function toChangeEvent(row: {
  id: bigint | string | number;
  topic: string;
  event: string;
  entityId: string;
  payload: unknown;
  actorId: string | null;
  createdAt: Date;
  traceParent?: string | null;
}): ChangeEvent {
  const e: ChangeEvent = {
    id: Number(row.id),
    topic: row.topic as Topic,
    event: row.event,
    entityId: row.entityId,
    data: (row.payload ?? {}) as Record<string, unknown>,
    actorId: row.actorId,
    at: row.createdAt.toISOString(),
  };
  if (row.traceParent) TRACE_PARENTS.set(e, row.traceParent);
  return e;
}

/** Kept beside the event, not in it: subscribers' frames stay the contract's shape. */
const TRACE_PARENTS = new WeakMap<ChangeEvent, string>();

/** The traceparent of the request that wrote the event, when tracing was on. */
export const traceParentOf = (e: ChangeEvent): string | null => TRACE_PARENTS.get(e) ?? null;
