import { Injectable } from '@nestjs/common';
import { hasScope, type Principal, type Scope } from '@app/core';
import { DatabaseService } from '@app/database';
import { TOPICS, toChangeEvent, type ChangeEvent, type Topic } from './outbox';

/** The scope a subscriber needs to receive a topic. */
export const TOPIC_SCOPE: Record<Topic, Scope> = {
  documents: 'kb:read',
  tickets: 'tickets:read',
  users: 'users:read',
};

export const topicsAllowed = (p: Pick<Principal, 'scopes'>, wanted: readonly Topic[] = TOPICS): Topic[] =>
  wanted.filter((t) => hasScope(p, TOPIC_SCOPE[t]));

interface EventRow {
  id: string | number;
  topic: string;
  event: string;
  entity_id: string;
  payload: unknown;
  actor_id: string | null;
  created_at: Date;
  trace_parent: string | null;
}

/** Reads the outbox history in id order (REST `GET /api/v1/events` and WebSocket replay). */
@Injectable()
export class EventLogService {
  constructor(private readonly db: DatabaseService) {}

  async after(afterId: number, topics: readonly Topic[], limit: number): Promise<ChangeEvent[]> {
    return this.page({ after: afterId }, topics, limit);
  }

  /**
   * Events with `after < id < before`, oldest first, or newest first with `order: 'desc'` (the
   * latest history: a client shows it, then subscribes with `since` = its newest id).
   */
  async page(
    range: { after?: number; before?: number; order?: 'asc' | 'desc' },
    topics: readonly Topic[],
    limit: number,
  ): Promise<ChangeEvent[]> {
    if (topics.length === 0) return [];
    const direction = range.order === 'desc' ? 'DESC' : 'ASC';
    // The driver, not Prisma: the fan-out reads every event's payload (a whole document for
    // document events), and Prisma's own result decoding cost more than the query.
    const rows = await this.db.driver.query<EventRow>(
      `SELECT id, topic, event, entity_id, payload, actor_id, created_at, trace_parent FROM event
        WHERE id > $1 AND ($2::bigint IS NULL OR id < $2) AND topic = ANY($3::text[])
        ORDER BY id ${direction} LIMIT $4`,
      [range.after ?? 0, range.before ?? null, [...topics], limit],
    );
    return rows.map((r) =>
      toChangeEvent({
        id: r.id,
        topic: r.topic,
        event: r.event,
        entityId: r.entity_id,
        payload: r.payload,
        actorId: r.actor_id,
        createdAt: r.created_at,
        traceParent: r.trace_parent,
      }),
    );
  }

  async latestId(): Promise<number> {
    const row = await this.db.prisma.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return row ? Number(row.id) : 0;
  }
}
