import { api, ApiError } from './api';
import { DOCUMENT_STATUSES, TICKET_PRIORITIES, type Page, type Stats } from './types';

export interface DashboardStats extends Stats {
  /** True when the stats endpoint is missing and counts were computed from lists (charts unavailable). */
  approximate: boolean;
  capped: boolean;
}

const PAGE = 100;
const MAX_PAGES = 5;

async function countAll<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  predicate: (item: T) => boolean = () => true,
): Promise<{ count: number; capped: boolean }> {
  let cursor: string | null = null;
  let count = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: Page<T> = await fetchPage(cursor);
    count += page.items.filter(predicate).length;
    if (!page.nextCursor) return { count, capped: false };
    cursor = page.nextCursor;
  }
  return { count, capped: true };
}

async function fallbackStats(can: (s: 'kb:read' | 'tickets:read') => boolean): Promise<DashboardStats> {
  let capped = false;
  const documents = { draft: 0, published: 0, archived: 0 };
  const openByPriority = { low: 0, normal: 0, high: 0, urgent: 0 };
  let slaBreached = 0;
  const jobs: Promise<void>[] = [];
  if (can('kb:read')) {
    for (const status of DOCUMENT_STATUSES) {
      jobs.push(
        countAll((cursor) => api.listDocuments({ status, limit: PAGE, cursor })).then((r) => {
          documents[status] = r.count;
          capped ||= r.capped;
        }),
      );
    }
  }
  if (can('tickets:read')) {
    for (const priority of TICKET_PRIORITIES) {
      jobs.push(
        countAll((cursor) => api.listTickets({ status: 'open', priority, limit: PAGE, cursor })).then((r) => {
          openByPriority[priority] = r.count;
          capped ||= r.capped;
        }),
      );
    }
    jobs.push(
      countAll(
        (cursor) => api.listTickets({ status: 'open', limit: PAGE, cursor }),
        (t) => !!t.slaBreachedAt,
      ).then((r) => {
        slaBreached = r.count;
      }),
    );
  }
  await Promise.all(jobs);
  return {
    documents,
    tickets: { openByPriority, slaBreached },
    ticketsPerDay: [],
    searchesPerDay: [],
    approximate: true,
    capped,
  };
}

export async function loadDashboardStats(
  can: (s: 'kb:read' | 'tickets:read') => boolean,
): Promise<DashboardStats> {
  try {
    const stats = await api.stats();
    return { ...stats, approximate: false, capped: false };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return fallbackStats(can);
    throw err;
  }
}
