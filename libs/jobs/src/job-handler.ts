import type { Tx } from '@app/database';
import type { JobPayloads, QueueName } from './queues';

export interface JobContext<Q extends QueueName = QueueName> {
  id: string;
  queue: Q;
  payload: JobPayloads[Q];
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Reports progress 0-100 (visible at `GET /api/v1/jobs/{id}`). */
  progress(percent: number): Promise<void>;
  /**
   * What this job saved with {@link saveCheckpoint} before an earlier attempt was interrupted
   * (a crash, a retry); null on a first run. Handlers resume from it instead of starting over.
   */
  checkpoint: unknown;
  /**
   * Saves the work done so far (counters, position) in the job row. Given `tx`, it is written in
   * that transaction, so the checkpoint commits (or not) together with the work it counts: a
   * crash can then never leave done work that the checkpoint does not know about.
   */
  saveCheckpoint(data: unknown, tx?: Tx): Promise<void>;
  /**
   * Aborted when the process shuts down (SIGTERM). A long handler checks it at its safe points
   * (after a checkpoint) and throws {@link JobInterruptedError}: the job goes back to the queue
   * and resumes from the checkpoint elsewhere. Handlers that finish quickly may ignore it.
   */
  signal?: AbortSignal;
}

/** Runs one queue's jobs; the result is stored as the job's `result`. Throwing retries. */
export interface JobHandler<Q extends QueueName = QueueName> {
  readonly queue: Q;
  handle(ctx: JobContext<Q>): Promise<unknown>;
  /**
   * Called in the transaction that fails a job without its handler running: the reconciler
   * failing a job whose runner died (or that BullMQ failed) on its last attempt. The handler
   * brings its own records in line (a webhook delivery stops being `pending`), so they never
   * wait for a job that will not run again.
   */
  failedOutside?(tx: Tx, payload: JobPayloads[Q], reason: string): Promise<void>;
}

/** Thrown by a handler for a job that no retry can fix: the job fails at once. */
export class PermanentJobError extends Error {}

/**
 * Thrown by a handler that stopped at a safe point because the process is shutting down: the
 * job is returned to the queue (not failed, the attempt not counted against it).
 */
export class JobInterruptedError extends Error {
  override name = 'JobInterruptedError';
}

/** Where handlers announce themselves (in their constructors), keeping the DI graph acyclic. */
export class JobHandlerRegistry {
  readonly handlers = new Map<QueueName, JobHandler>();
  register(handler: JobHandler): void {
    this.handlers.set(handler.queue, handler);
  }
}
