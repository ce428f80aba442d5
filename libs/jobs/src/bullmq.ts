import { Inject, type Type } from '@nestjs/common';
import type { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { AppConfig } from '@app/config';
import { JobExecutor } from './job-executor';
import { JobQueue } from './job-queue';
import { nestBull } from './nest-bull';
import { QUEUE_NAMES, type QueueName } from './queues';

/** What a BullMQ job carries: the id of its `job` row (payload and public state live there). */
export interface BullJobData {
  jobId: string;
}

/** BullMQ bundles its own ioredis; it gets plain options parsed from REDIS_URL. */
export function bullConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function bullImports(config: AppConfig) {
  const { BullModule } = nestBull();
  return [
    BullModule.forRoot({ connection: bullConnection(config.redisUrl!), prefix: config.queuePrefix }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ];
}

/**
 * Runs a BullMQ job through the shared executor. The job row is the truth: the claim succeeds
 * only for a `queued` row (a duplicate or stale BullMQ job does nothing), attempts are counted
 * on the row, and a retry is a new BullMQ job for the next attempt, added after the row was
 * requeued. So BullMQ never retries by itself and never fails a job the row does not know of.
 */
export async function processBullJob(
  exec: JobExecutor,
  queue: JobQueue,
  job: Job<BullJobData>,
): Promise<unknown> {
  // Shutting down: leave the row queued; the reconciler (here or elsewhere) hands it over again.
  if (exec.isStopping) return null;
  const claimed = await exec.store.claim(job.data.jobId, exec.runnerId);
  if (!claimed) return null; // finished, running elsewhere, or deleted
  const { outcome, retryInMs, nextAttempt } = await exec.run(
    claimed,
    claimed.attempts >= claimed.maxAttempts,
  );
  if (outcome === 'retried')
    await queue.submit([
      { queue: claimed.queue, id: claimed.id, attempt: claimed.attempts + 1, delayMs: retryInMs ?? 0 },
    ]);
  // Given back at shutdown: another worker takes the next attempt at once.
  if (outcome === 'returned' && nextAttempt)
    await queue.submit([{ queue: claimed.queue, id: claimed.id, attempt: nextAttempt }]);
  return null;
}

/** One `WorkerHost` per queue, registered only where jobs run (RUN_JOBS, apps/worker). */
function processorFor(queue: QueueName): Type<WorkerHost> {
  const { Processor, WorkerHost } = nestBull();
  @Processor(queue, { concurrency: 4 })
  class QueueProcessor extends WorkerHost {
    constructor(
      @Inject(JobExecutor) private readonly exec: JobExecutor,
      @Inject(JobQueue) private readonly jobs: JobQueue,
    ) {
      super();
    }
    process(job: Job<BullJobData>): Promise<unknown> {
      return processBullJob(this.exec, this.jobs, job);
    }
    /** Shutdown: fetch no more jobs (the running ones finish or are given back by the executor). */
    async beforeApplicationShutdown(): Promise<void> {
      await this.worker.pause(true).catch(() => undefined);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', {
    value: `${queue[0].toUpperCase()}${queue.slice(1)}Processor`,
  });
  return QueueProcessor;
}

let processors: Type<WorkerHost>[] | null = null;
export function bullProcessors(): Type<WorkerHost>[] {
  return (processors ??= QUEUE_NAMES.map(processorFor));
}
