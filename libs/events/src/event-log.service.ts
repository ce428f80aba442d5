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

/** Reads the outbox history in id order (REST `GET /api/v1/events` and WebSocket replay). */
@Injectable()
export class EventLogService {
  constructor(private readonly db: DatabaseService) {}

  async after(afterId: number, topics: readonly Topic[], limit: number): Promise<ChangeEvent[]> {
    if (topics.length === 0) return [];
    const rows = await this.db.prisma.event.findMany({
      where: { id: { gt: BigInt(afterId) }, topic: { in: [...topics] } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toChangeEvent);
  }

  async latestId(): Promise<number> {
    const row = await this.db.prisma.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return row ? Number(row.id) : 0;
  }
}
