import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { AppConfig } from '@app/config';
import type { Principal } from '@app/core';
import { MetricsService } from '@app/observability';
import type { BullJobData } from './bullmq';
import { InProcessRunner } from './in-process-runner';
import type { JobDto } from './job.schema';
import { JobStore } from './job-store';
import { nestBull } from './nest-bull';
import { QUEUE_RETRY, type JobPayloads, type QueueName } from './queues';

/** How long an enqueue waits for Redis before leaving the hand-over to the reconciler. */
const BULL_ADD_WAIT_MS = 2000;

/**
 * The BullMQ job id for attempt `attempt` of job row `rowId`. Deterministic, so handing the same
 * row to BullMQ twice (a retry of the hand-over, the reconciler after a Redis restart) adds it
 * once; a new attempt gets a new id, so BullMQ never blocks it behind a finished one.
 */
export const bullJobId = (rowId: string, attempt: number): string => `${rowId}-a${attempt}`;

export interface EnqueueOptions {
  /** Dedupe key: while a job with this key exists, enqueueing again returns that job. */
  key?: string;
  delayMs?: number;
  createdById?: string | null;
}

/**
 * Enqueues work. The job row is written first: it is the record and the truth (state,
 * attempts, dedupe key). Then the row is handed to the transport: a BullMQ job per attempt
 * (see {@link bullJobId}; BullMQ itself does not retry, the row's attempts do), or, without
 * Redis, a wake-up of the in-process runner that claims rows itself. A hand-over that fails
 * (Redis down) is not an error for the caller: the row is durable and the reconciler hands it
 * over again.
 */
@Injectable()
export class JobQueue {
  private readonly logger = new Logger('JobQueue');
  private readonly bull = new Map<QueueName, Queue>();

  constructor(
    private readonly store: JobStore,
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
    metrics: MetricsService,
    // An explicit token: a `| null` type is emitted as `Object` in the decorator metadata, which
    // Nest then leaves unresolved, so enqueues never woke the runner (jobs waited for its poll).
    @Optional() @Inject(InProcessRunner) private readonly runner: InProcessRunner | null = null,
  ) {
    const depth = metrics.gauge('context_desk_queue_depth', 'Jobs waiting or running', ['queue', 'state']);
    const jobs = this.store;
    // Read at scrape time from the job table (the record in both modes).
    Object.assign(depth, {
      async collect() {
        depth.reset();
        for (const c of await jobs.counts().catch(() => []))
          depth.set({ queue: c.queue, state: c.state }, c.n);
      },
    });
  }

  get usesBull(): boolean {
    return !!this.config.redisUrl;
  }

  async enqueue<Q extends QueueName>(
    queue: Q,
    payload: JobPayloads[Q],
    opts: EnqueueOptions = {},
  ): Promise<{ id: string; created: boolean }> {
    const { attempts } = QUEUE_RETRY[queue];
    const res = await this.store.create({ queue, payload, maxAttempts: attempts, ...opts });
    if (res.created) await this.submit([{ queue, id: res.id, attempt: 1, delayMs: opts.delayMs ?? 0 }]);
    return res;
  }

  /**
   * Hands `queued` rows to the transport (after they were inserted in a transaction of their
   * own, or by the reconciler). Never throws: what is not handed over now is handed over by
   * the reconciler.
   */
  async submit(jobs: { queue: QueueName; id: string; attempt: number; delayMs?: number }[]): Promise<void> {
    if (!jobs.length) return;
    if (!this.usesBull) {
      this.runner?.kick();
      return;
    }
    const byQueue = new Map<QueueName, typeof jobs>();
    for (const j of jobs) byQueue.set(j.queue, [...(byQueue.get(j.queue) ?? []), j]);
    for (const [queue, list] of byQueue) {
      const added = this.bullQueue(queue).addBulk(
        list.map((j) => ({
          name: queue,
          data: { jobId: j.id } satisfies BullJobData,
          opts: {
            jobId: bullJobId(j.id, j.attempt),
            delay: Math.max(0, Math.round(j.delayMs ?? 0)),
            attempts: 1,
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 5000 },
          },
        })),
      );
      // BullMQ's connection queues commands while Redis is away; do not hold the caller for it.
      const outcome = await Promise.race([
        added.then(
          () => 'ok' as const,
          (e: Error) => e,
        ),
        new Promise<'slow'>((r) => setTimeout(() => r('slow'), BULL_ADD_WAIT_MS).unref()),
      ]);
      if (outcome !== 'ok')
        this.logger.warn(
          `handing ${list.length} ${queue} job(s) to BullMQ ${outcome === 'slow' ? 'is slow (Redis down?)' : `failed: ${outcome.message}`}; the reconciler will retry`,
        );
    }
  }

  /** BullMQ's view of one job (`unknown` when it has none). */
  async bullState(queue: QueueName, bullId: string): Promise<string> {
    return String(await this.bullQueue(queue).getJobState(bullId));
  }

  /** BullMQ's failure reason for one job, or null. */
  async bullFailedReason(queue: QueueName, bullId: string): Promise<string | null> {
    const job = await this.bullQueue(queue).getJob(bullId);
    return job?.failedReason ?? null;
  }

  /** Removes a finished BullMQ job so that its id can be added again. */
  async bullRemove(queue: QueueName, bullId: string): Promise<void> {
    await this.bullQueue(queue).remove(bullId);
  }

  /** The job as its creator (or an admin) may see it. */
  get(id: string, viewer?: Principal): Promise<JobDto> {
    return this.store.get(id, viewer);
  }

  private bullQueue(queue: QueueName): Queue {
    let q = this.bull.get(queue);
    if (!q) {
      q = this.moduleRef.get<Queue>(nestBull().getQueueToken(queue), { strict: false });
      this.bull.set(queue, q);
    }
    return q;
  }
}
