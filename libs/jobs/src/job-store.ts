import { Injectable } from '@nestjs/common';
import { currentTraceparent, NotFoundError, isUuid, type Principal } from '@app/core';
import { DatabaseService, Prisma } from '@app/database';
import type { JobPayloads, QueueName } from './queues';

export type JobStateName = 'queued' | 'running' | 'completed' | 'failed';

/** Public shape of a job (`GET /api/v1/jobs/{id}`). */
export interface JobDto {
  id: string;
  queue: string;
  name: string;
  state: JobStateName;
  progress: number;
  attempts: number;
  maxAttempts: number;
  result: unknown;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface ClaimedJob<Q extends QueueName = QueueName> {
  id: string;
  queue: Q;
  name: string;
  payload: JobPayloads[Q];
  attempts: number;
  maxAttempts: number;
  /** W3C traceparent of the request that enqueued it: the job's span continues that trace. */
  traceParent?: string | null;
}

interface JobRow {
  id: string;
  queue: string;
  name: string;
  state: JobStateName;
  progress: number;
  attempts: number;
  maxAttempts: number;
  result: unknown;
  lastError: string | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export const toJobDto = (j: JobRow): JobDto => ({
  id: j.id,
  queue: j.queue,
  name: j.name,
  state: j.state,
  progress: j.progress,
  attempts: j.attempts,
  maxAttempts: j.maxAttempts,
  result: j.result ?? null,
  lastError: j.lastError,
  createdAt: j.createdAt.toISOString(),
  updatedAt: j.updatedAt.toISOString(),
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

export interface NewJob<Q extends QueueName> {
  queue: Q;
  payload: JobPayloads[Q];
  /** Dedupe key: while a job with this key exists, enqueueing another returns it. */
  key?: string;
  delayMs?: number;
  maxAttempts: number;
  createdById?: string | null;
}

/**
 * The `job` table: the public record of every job in both modes, and the queue itself for the
 * in-process runner. Claims use `FOR UPDATE SKIP LOCKED`, so several runners sharing one
 * Postgres never take the same job.
 */
@Injectable()
export class JobStore {
  constructor(private readonly db: DatabaseService) {}

  /** Inserts the job, or returns the existing one with the same key (`created: false`). */
  async create<Q extends QueueName>(job: NewJob<Q>): Promise<{ id: string; created: boolean }> {
    const rows = await this.db.driver.query<{ id: string }>(
      `INSERT INTO job (id, queue, name, key, payload, max_attempts, created_by_id, run_at, trace_parent)
       VALUES (gen_random_uuid(), $1, $1, $2, $3::jsonb, $4, $5, now() + make_interval(secs => $6::float8 / 1000), $7)
       ON CONFLICT (key) DO NOTHING RETURNING id`,
      [
        job.queue,
        job.key ?? null,
        JSON.stringify(job.payload),
        job.maxAttempts,
        job.createdById ?? null,
        job.delayMs ?? 0,
        currentTraceparent(),
      ],
    );
    if (rows.length) return { id: rows[0].id, created: true };
    const existing = await this.db.prisma.job.findUniqueOrThrow({
      where: { key: job.key! },
      select: { id: true },
    });
    return { id: existing.id, created: false };
  }

  async get(id: string, viewer?: Principal): Promise<JobDto> {
    const row = isUuid(id) ? await this.db.prisma.job.findUnique({ where: { id } }) : null;
    // Jobs are visible to whoever started them and to admins.
    const visible =
      row &&
      (!viewer ||
        viewer.scopes.includes('admin') ||
        (row.createdById !== null && row.createdById === viewer.userId));
    if (!row || !visible) throw new NotFoundError('job', id);
    return toJobDto(row as JobRow);
  }

  async claimNext(queues: readonly QueueName[], runner: string): Promise<ClaimedJob | null> {
    if (!queues.length) return null;
    const rows = await this.db.driver.query<{
      id: string;
      queue: QueueName;
      name: string;
      payload: unknown;
      attempts: number;
      max_attempts: number;
      trace_parent: string | null;
    }>(
      `UPDATE job SET state = 'running', locked_at = now(), locked_by = $1, attempts = attempts + 1, updated_at = now()
       WHERE id = (SELECT id FROM job WHERE state = 'queued' AND run_at <= now() AND queue = ANY($2::text[])
                   ORDER BY run_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, queue, name, payload, attempts, max_attempts, trace_parent`,
      [runner, [...queues]],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      queue: r.queue,
      name: r.name,
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as never,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      traceParent: r.trace_parent,
    };
  }

  /** Marks a job running for a transport that claims on its own (BullMQ). */
  async start(id: string, attempt: number, runner: string): Promise<ClaimedJob | null> {
    const row = await this.db.prisma.job.findUnique({ where: { id } });
    if (!row || row.state === 'completed' || row.state === 'failed') return null;
    await this.db.prisma.job.update({
      where: { id },
      data: { state: 'running', attempts: attempt, lockedAt: new Date(), lockedBy: runner },
    });
    return {
      id: row.id,
      queue: row.queue as QueueName,
      name: row.name,
      payload: row.payload as never,
      attempts: attempt,
      maxAttempts: row.maxAttempts,
      traceParent: row.traceParent,
    };
  }

  async progress(id: string, progress: number): Promise<void> {
    await this.db.prisma.job.update({
      where: { id },
      data: { progress: Math.max(0, Math.min(100, Math.round(progress))), lockedAt: new Date() },
    });
  }

  async complete(id: string, result: unknown): Promise<void> {
    await this.db.prisma.job.update({
      where: { id },
      data: {
        state: 'completed',
        progress: 100,
        result: result === undefined || result === null ? Prisma.DbNull : (result as Prisma.InputJsonValue),
        lockedAt: null,
        lockedBy: null,
        lastError: null,
        finishedAt: new Date(),
      },
    });
  }

  /** Requeues after `retryInMs`, or marks the job failed when `retryInMs` is null. */
  async fail(id: string, error: string, retryInMs: number | null): Promise<void> {
    const lastError = error.slice(0, 2000);
    if (retryInMs === null) {
      await this.db.prisma.job.update({
        where: { id },
        data: { state: 'failed', lastError, lockedAt: null, lockedBy: null, finishedAt: new Date() },
      });
      return;
    }
    await this.db.driver.query(
      `UPDATE job SET state = 'queued', last_error = $2, locked_at = NULL, locked_by = NULL, updated_at = now(),
              run_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1::uuid`,
      [id, lastError, retryInMs],
    );
  }

  /** Keeps the locks of jobs this runner is working on fresh. */
  async heartbeat(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.driver.query(
      `UPDATE job SET locked_at = now() WHERE id = ANY($1::uuid[]) AND state = 'running'`,
      [ids],
    );
  }

  /**
   * Puts `running` jobs back in the queue when their runner is gone: locked before
   * `olderThanMs` ago, or (`all`) any running job at all (embedded mode: one process owns the
   * database, so a running job at boot was left by a process that died).
   */
  async requeueStale(queues: readonly QueueName[], olderThanMs: number, all = false): Promise<number> {
    const rows = await this.db.driver.query(
      `UPDATE job SET state = 'queued', locked_at = NULL, locked_by = NULL, run_at = now(), updated_at = now(),
              last_error = coalesce(last_error, 'interrupted: the runner stopped')
       WHERE state = 'running' AND queue = ANY($1::text[])
         AND ($3::boolean OR locked_at IS NULL OR locked_at < now() - make_interval(secs => $2::float8 / 1000))
       RETURNING id`,
      [[...queues], olderThanMs, all],
    );
    return rows.length;
  }

  async counts(): Promise<{ queue: string; state: string; n: number }[]> {
    return this.db.driver.query(
      `SELECT queue, state::text AS state, count(*)::int AS n FROM job WHERE state IN ('queued', 'running') GROUP BY 1, 2`,
    );
  }

  /** Milliseconds until the next queued job is due (null: none queued). */
  async nextDueInMs(queues: readonly QueueName[]): Promise<number | null> {
    const rows = await this.db.driver.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM min(run_at) - now()) * 1000)::float8 AS ms FROM job
       WHERE state = 'queued' AND queue = ANY($1::text[])`,
      [[...queues]],
    );
    return rows[0]?.ms ?? null;
  }
}
