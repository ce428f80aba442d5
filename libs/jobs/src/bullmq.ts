import { Inject, type Type } from '@nestjs/common';
import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import type { AppConfig } from '@app/config';
import { JobExecutor } from './job-executor';
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
  return [
    BullModule.forRoot({ connection: bullConnection(config.redisUrl!), prefix: config.queuePrefix }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ];
}

/** Runs a BullMQ job through the shared executor; BullMQ owns retries and backoff. */
export async function processBullJob(exec: JobExecutor, job: Job<BullJobData>): Promise<unknown> {
  const attempt = job.attemptsMade + 1;
  const claimed = await exec.store.start(job.data.jobId, attempt, exec.runnerId);
  if (!claimed) return null; // already finished (a duplicate delivery) or deleted
  const { outcome, error } = await exec.run(claimed, attempt >= (job.opts.attempts ?? 1));
  if (outcome === 'failed') throw new UnrecoverableError(error?.message ?? 'failed');
  if (outcome === 'retried') throw error ?? new Error('retry');
  return null;
}

/** One `WorkerHost` per queue, registered only where jobs run (RUN_JOBS, apps/worker). */
function processorFor(queue: QueueName): Type<WorkerHost> {
  @Processor(queue, { concurrency: 4 })
  class QueueProcessor extends WorkerHost {
    constructor(@Inject(JobExecutor) private readonly exec: JobExecutor) {
      super();
    }
    process(job: Job<BullJobData>): Promise<unknown> {
      return processBullJob(this.exec, job);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', {
    value: `${queue[0].toUpperCase()}${queue.slice(1)}Processor`,
  });
  return QueueProcessor;
}

export const BULL_PROCESSORS: Type<WorkerHost>[] = QUEUE_NAMES.map(processorFor);
