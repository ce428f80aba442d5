import { Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { AppConfig } from '@app/config';
import type { Principal } from '@app/core';
import { MetricsService } from '@app/observability';
import type { BullJobData } from './bullmq';
import { InProcessRunner } from './in-process-runner';
import { JobStore, type JobDto } from './job-store';
import { QUEUE_RETRY, type JobPayloads, type QueueName } from './queues';

export interface EnqueueOptions {
  /** Dedupe key: while a job with this key exists, enqueueing again returns that job. */
  key?: string;
  delayMs?: number;
  createdById?: string | null;
}

/**
 * Enqueues work. The job row is written first (the public record, and the dedupe key); then
 * BullMQ gets a job whose id is the row id (so a second add is a no-op), or, without Redis, the
 * in-process runner is woken. Same call in both modes.
 */
@Injectable()
export class JobQueue {
  private readonly bull = new Map<QueueName, Queue>();

  constructor(
    private readonly store: JobStore,
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
    metrics: MetricsService,
    @Optional() private readonly runner: InProcessRunner | null = null,
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

  async enqueue<Q extends QueueName>(
    queue: Q,
    payload: JobPayloads[Q],
    opts: EnqueueOptions = {},
  ): Promise<{ id: string; created: boolean }> {
    const { attempts } = QUEUE_RETRY[queue];
    const res = await this.store.create({ queue, payload, maxAttempts: attempts, ...opts });
    if (!res.created) return res;
    if (this.config.redisUrl) {
      const data: BullJobData = { jobId: res.id };
      await this.bullQueue(queue).add(queue, data, {
        jobId: res.id,
        delay: opts.delayMs ?? 0,
        attempts,
        backoff: {
          type: 'exponential',
          delay:
            queue === 'webhooks'
              ? this.config.webhookRetryBaseMs
              : (QUEUE_RETRY[queue].baseDelayMs as number),
        },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      });
    } else {
      this.runner?.kick();
    }
    return res;
  }

  /** The job as its creator (or an admin) may see it. */
  get(id: string, viewer?: Principal): Promise<JobDto> {
    return this.store.get(id, viewer);
  }

  private bullQueue(queue: QueueName): Queue {
    let q = this.bull.get(queue);
    if (!q) {
      q = this.moduleRef.get<Queue>(getQueueToken(queue), { strict: false });
      this.bull.set(queue, q);
    }
    return q;
  }
}
