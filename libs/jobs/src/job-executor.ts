import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '@app/config';
import { contextFromTraceparent, SpanKind, withSpan } from '@app/core';
import { MetricsService } from '@app/observability';
import { JobHandlerRegistry, PermanentJobError } from './job-handler';
import { JobStore, type ClaimedJob } from './job-store';
import { QUEUE_NAMES, retryDelayMs, type QueueName } from './queues';

export type Outcome = 'completed' | 'retried' | 'failed';

/**
 * Runs one claimed job through its handler and records the outcome in the `job` table. Both
 * transports (in-process runner, BullMQ processors) go through here, so they behave the same.
 */
@Injectable()
export class JobExecutor implements OnModuleInit {
  private readonly logger = new Logger('Jobs');
  /** Identifies this process in `job.locked_by`. */
  readonly runnerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly outcomes;
  private readonly duration;

  constructor(
    private readonly registry: JobHandlerRegistry,
    readonly store: JobStore,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter('context_desk_jobs_total', 'Job runs by outcome', ['queue', 'outcome']);
    this.duration = metrics.histogram(
      'context_desk_job_duration_seconds',
      'Job run time',
      ['queue'],
      [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    );
  }

  /** Start-up fails when a queue has no handler. */
  onModuleInit(): void {
    const missing = QUEUE_NAMES.filter((q) => !this.registry.handlers.has(q));
    if (missing.length) throw new Error(`no job handler for queue(s) ${missing.join(', ')}`);
  }

  get queues(): QueueName[] {
    return [...this.registry.handlers.keys()];
  }

  /**
   * Runs the job. `finalAttempt` says whether a failure ends it; the returned outcome tells
   * the transport whether to retry. The error is returned, not thrown, so transports decide.
   */
  run(job: ClaimedJob, finalAttempt: boolean): Promise<{ outcome: Outcome; error?: Error }> {
    // One span per attempt, in the trace of the request that enqueued the job.
    return withSpan(
      `job ${job.queue}`,
      { 'job.queue': job.queue, 'job.id': job.id, 'job.attempt': job.attempts },
      async (span) => {
        const result = await this.runAttempt(job, finalAttempt);
        span?.setAttribute('job.outcome', result.outcome);
        return result;
      },
      { kind: SpanKind.CONSUMER, parent: contextFromTraceparent(job.traceParent) },
    );
  }

  private async runAttempt(
    job: ClaimedJob,
    finalAttempt: boolean,
  ): Promise<{ outcome: Outcome; error?: Error }> {
    const handler = this.registry.handlers.get(job.queue);
    const end = this.duration.startTimer({ queue: job.queue });
    try {
      if (!handler) throw new PermanentJobError(`no handler for queue "${job.queue}"`);
      const result = await handler.handle({
        id: job.id,
        queue: job.queue,
        payload: job.payload,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        progress: (p) => this.store.progress(job.id, p),
      });
      await this.store.complete(job.id, result);
      this.outcomes.inc({ queue: job.queue, outcome: 'completed' });
      return { outcome: 'completed' };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const last = finalAttempt || e instanceof PermanentJobError;
      const outcome: Outcome = last ? 'failed' : 'retried';
      await this.store
        .fail(job.id, error.message, last ? null : retryDelayMs(this.config, job.queue, job.attempts))
        .catch((err: Error) => this.logger.error(`recording job ${job.id} failure: ${err.message}`));
      this.outcomes.inc({ queue: job.queue, outcome });
      this.logger.warn(`job ${job.queue}/${job.id} attempt ${job.attempts} ${outcome}: ${error.message}`);
      return { outcome, error };
    } finally {
      end();
    }
  }
}
