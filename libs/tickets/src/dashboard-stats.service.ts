import { Injectable } from '@nestjs/common';
import { assertScopes, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';
import { TICKET_PRIORITIES, type TicketPriorityName } from './ticket-workflow';

export interface DashboardStats {
  documents: { draft: number; published: number; archived: number };
  /** openByPriority and slaBreached count unfinished tickets (open or pending). */
  tickets: { openByPriority: Record<TicketPriorityName, number>; slaBreached: number };
  /** The last 30 days (UTC), oldest first, every day present. */
  ticketsPerDay: { day: string; opened: number; resolved: number }[];
  searchesPerDay: { day: string; count: number }[];
}

export const STATS_DAYS = 30;

/**
 * Read-only figures for the admin dashboard. Counting documents by status reads the document
 * table directly: it is a count, not a use of the knowledge context's rules.
 */
@Injectable()
export class DashboardStatsService {
  constructor(private readonly db: DatabaseService) {}

  async get(viewer: Principal, now = new Date()): Promise<DashboardStats> {
    assertScopes(viewer, ['tickets:read', 'kb:read']);
    const days = lastDays(now, STATS_DAYS);
    const since = new Date(`${days[0]}T00:00:00.000Z`);
    const prisma = this.db.prisma;
    const [docs, open, breached, opened, resolved, searched] = await Promise.all([
      prisma.$queryRaw<{ key: string; n: number }[]>`
        SELECT status::text AS key, count(*)::int AS n FROM document GROUP BY status`,
      prisma.$queryRaw<{ key: string; n: number }[]>`
        SELECT priority::text AS key, count(*)::int AS n FROM ticket
        WHERE status IN ('open', 'pending') GROUP BY priority`,
      prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM ticket
        WHERE status IN ('open', 'pending') AND sla_breached_at IS NOT NULL`,
      prisma.$queryRaw<{ key: string; n: number }[]>`
        SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS key, count(*)::int AS n
        FROM ticket WHERE created_at >= ${since} GROUP BY 1`,
      prisma.$queryRaw<{ key: string; n: number }[]>`
        SELECT to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS key, count(*)::int AS n
        FROM ticket WHERE resolved_at >= ${since} GROUP BY 1`,
      // Written by SearchService every few seconds, so the last seconds' searches may be missing.
      prisma.$queryRaw<{ key: string; n: number }[]>`
        SELECT to_char(day, 'YYYY-MM-DD') AS key, count AS n FROM search_daily WHERE day >= ${days[0]}::date`,
    ]);
    const counts = (rows: { key: string; n: number }[]) => new Map(rows.map((r) => [r.key, Number(r.n)]));
    const d = counts(docs);
    const o = counts(open);
    const op = counts(opened);
    const rs = counts(resolved);
    const sc = counts(searched);
    return {
      documents: {
        draft: d.get('draft') ?? 0,
        published: d.get('published') ?? 0,
        archived: d.get('archived') ?? 0,
      },
      tickets: {
        openByPriority: Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, o.get(p) ?? 0])) as Record<
          TicketPriorityName,
          number
        >,
        slaBreached: Number(breached[0]?.n ?? 0),
      },
      ticketsPerDay: days.map((day) => ({ day, opened: op.get(day) ?? 0, resolved: rs.get(day) ?? 0 })),
      searchesPerDay: days.map((day) => ({ day, count: sc.get(day) ?? 0 })),
    };
  }
}

/** `count` UTC dates (YYYY-MM-DD) ending with today's, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
