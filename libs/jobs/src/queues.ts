import type { ImportFailure } from './job.schema';

/** Queue names: one per kind of background work. */
export const QUEUES = {
  indexing: 'indexing',
  imports: 'imports',
  webhooks: 'webhooks',
  sla: 'sla',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

/** A document as an import carries it (contract section 7). */
export interface ImportDocument {
  slug: string;
  title: string;
  body: string;
  tags?: string[];
  collection?: string | null;
  status?: 'draft' | 'published' | 'archived';
}

/** Payload of each queue's jobs. */
export interface JobPayloads {
  /** Re-index one document if it is still at `version` (repair path; writes index synchronously). */
  indexing: { documentId: string; version: number };
  /** Items that failed to parse are carried as `rejected` so the result lists them. */
  imports: { documents: ImportDocument[]; rejected: ImportFailure[]; actorUserId: string | null };
  webhooks: { deliveryId: string };
  sla: { ticketNumber: number };
}

/** Attempts and first retry delay per queue; later retries double the delay. */
export const QUEUE_RETRY: Record<QueueName, { attempts: number; baseDelayMs: number | 'webhook' }> = {
  indexing: { attempts: 5, baseDelayMs: 1000 },
  imports: { attempts: 3, baseDelayMs: 1000 },
  webhooks: { attempts: 6, baseDelayMs: 'webhook' },
  sla: { attempts: 5, baseDelayMs: 5000 },
};

export const retryDelayMs = (
  config: { webhookRetryBaseMs: number },
  queue: QueueName,
  attempt: number,
): number => {
  const base = QUEUE_RETRY[queue].baseDelayMs;
  return backoffMs(base === 'webhook' ? config.webhookRetryBaseMs : base, attempt);
};

export const backoffMs = (baseMs: number, attempt: number): number =>
  Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 6 * 3600_000);
