import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '@app/config';
import type { Tx } from '@app/database';
import { contextFromTraceparent, SpanKind, withSpan } from '@app/core';
import { MetricsService } from '@app/observability';
import { JobHandlerRegistry, JobInterruptedError, PermanentJobError } from './job-handler';
import { JobStore, type ClaimedJob } from './job-store';
import { QUEUE_NAMES, retryDelayMs, type QueueName } from './queues';

/** `returned`: stopped at a safe point for a shutdown and put back in the queue. */
export type Outcome = 'completed' | 'retried' | 'failed' | 'returned';

export interface RunResult {
  outcome: Outcome;
  error?: Error;
  /** `retried`: when the next attempt is due. */
  retryInMs?: number;
  /** `returned`: the attempt number of the next run. */
  nextAttempt?: number;
}

/** Runner ids of the executors alive in this process (two test apps can share one process). */
export const LIVE_RUNNERS = new Set<string>();

/**
 * Runs one claimed job through its handler and records the outcome in the `job` table. Both
 * transports (in-process runner, BullMQ processors) go through here, so they behave the same.
 *
 * On shutdown (before the transports close) it stops taking jobs, aborts the running ones'
 * signals and waits up to SHUTDOWN_TIMEOUT_MS for them: each finishes, or stops at its next
 * checkpoint and is given back to the queue (outcome `returned`) to resume elsewhere. A job that
 * does neither in time stays `running` and the reconciler requeues it once its lock lapses.
 */
@Injectable()
export class JobExecutor implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  /** Identifies this process in `job.locked_by`. */
  readonly runnerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly outcomes;
  private readonly duration;
  /** Jobs running here: their locks are refreshed (heartbeat) so no reconciler takes them over. */
  private readonly active = new Set<string>();
  private readonly aborts = new Map<string, AbortController>();
  private heartbeat: NodeJS.Timeout | null = null;
  private stopping = false;

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
    LIVE_RUNNERS.add(this.runnerId);
    this.heartbeat = setInterval(
      () => {
        if (this.active.size) this.store.heartbeat([...this.active]).catch(() => undefined);
      },
      Math.max(50, Math.floor(this.config.jobLockTimeoutMs / 3)),
    );
    this.heartbeat.unref();
  }

  /** Stops taking jobs and lets the running ones finish or return to the queue (bounded). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const c of this.aborts.values()) c.abort(new JobInterruptedError('the process is shutting down'));
    const deadline = Date.now() + this.config.shutdownTimeoutMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.active.size)
      this.logger.warn(
        `${this.active.size} job(s) still running at shutdown; the reconciler will requeue them`,
      );
  }

  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    LIVE_RUNNERS.delete(this.runnerId);
  }

  /** True once shutdown began: transports take no new jobs. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** How many jobs run here now. */
  get activeCount(): number {
    return this.active.size;
  }

  get queues(): QueueName[] {
    return [...this.registry.handlers.keys()];
  }

  /** Lets the job's handler update its records in the transaction that failed the job. */
  async failedOutside(tx: Tx, queue: QueueName, payload: unknown, reason: string): Promise<void> {
    await this.registry.handlers.get(queue)?.failedOutside?.(tx, payload as never, reason);
  }

  /**
   * Runs the job. `finalAttempt` says whether a failure ends it; the returned outcome tells
   * the transport whether to retry. The error is returned, not thrown, so transports decide.
   */
  run(job: ClaimedJob, finalAttempt: boolean): Promise<RunResult> {
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

  private async runAttempt(job: ClaimedJob, finalAttempt: boolean): Promise<RunResult> {
    const handler = this.registry.handlers.get(job.queue);
    const end = this.duration.startTimer({ queue: job.queue });
    this.active.add(job.id);
    const abort = new AbortController();
    this.aborts.set(job.id, abort);
    if (this.stopping) abort.abort(new JobInterruptedError('the process is shutting down'));
    try {
      if (!handler) throw new PermanentJobError(`no handler for queue "${job.queue}"`);
      const result = await handler.handle({
        id: job.id,
        queue: job.queue,
        payload: job.payload,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        progress: (p) => this.store.progress(job.id, p),
        checkpoint: job.checkpoint,
        saveCheckpoint: (data, tx) => this.store.checkpoint(job.id, data, tx),
        signal: abort.signal,
      });
      await this.store.complete(job.id, result);
      this.outcomes.inc({ queue: job.queue, outcome: 'completed' });
      return { outcome: 'completed' };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (e instanceof JobInterruptedError) {
        const next = await this.store.giveBack(job.id, this.runnerId).catch((err: Error) => {
          this.logger.error(`returning job ${job.id} to the queue: ${err.message}`);
          return null;
        });
        this.outcomes.inc({ queue: job.queue, outcome: 'returned' });
        this.logger.log(`job ${job.queue}/${job.id} returned to the queue: ${error.message}`);
        return { outcome: 'returned', error, nextAttempt: next ?? undefined };
      }
      const last = finalAttempt || e instanceof PermanentJobError;
      const outcome: Outcome = last ? 'failed' : 'retried';
      const retryInMs = last ? undefined : retryDelayMs(this.config, job.queue, job.attempts);
      // If this cannot be recorded (database down), the row stays `running` and the reconciler
      // requeues it once its lock lapses.
      await this.store
        .fail(job.id, error.message, retryInMs ?? null)
        .catch((err: Error) => this.logger.error(`recording job ${job.id} failure: ${err.message}`));
      this.outcomes.inc({ queue: job.queue, outcome });
      this.logger.warn(`job ${job.queue}/${job.id} attempt ${job.attempts} ${outcome}: ${error.message}`);
      return { outcome, error, retryInMs };
    } finally {
      this.active.delete(job.id);
      this.aborts.delete(job.id);
      end();
    }
  }
}
