import { Injectable } from '@nestjs/common';
import { currentTraceparent, NotFoundError, isUuid, jsonDates, type Principal } from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { jobSchema, type JobDto, type JobStateName } from './job.schema';
import type { JobPayloads, QueueName } from './queues';

export interface ClaimedJob<Q extends QueueName = QueueName> {
  id: string;
  queue: Q;
  name: string;
  payload: JobPayloads[Q];
  attempts: number;
  maxAttempts: number;
  /** W3C traceparent of the request that enqueued it: the job's span continues that trace. */
  traceParent?: string | null;
  /** What an earlier, interrupted attempt saved (null on a first run). */
  checkpoint: unknown;
}

/** A job row as the reconciler sees it. */
export interface JobBrief {
  id: string;
  queue: QueueName;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  /** Milliseconds until it is due (<= 0: due now). */
  dueInMs: number;
}

interface ClaimRow {
  id: string;
  queue: QueueName;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  checkpoint: unknown;
  trace_parent: string | null;
}

const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

const toClaimed = (r: ClaimRow): ClaimedJob => ({
  id: r.id,
  queue: r.queue,
  name: r.name,
  payload: parseJson(r.payload) as never,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  checkpoint: parseJson(r.checkpoint) ?? null,
  traceParent: r.trace_parent,
});

const CLAIMED = 'id, queue, name, payload, attempts, max_attempts, checkpoint, trace_parent';

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

export const toJobDto = ({ createdById: _creator, ...j }: JobRow): JobDto =>
  jobSchema.parse({ ...(jsonDates(j) as object), result: j.result ?? null });

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
    // Not the payload (an import's documents) nor the checkpoint: a poll reads only the record.
    const row = isUuid(id)
      ? await this.db.prisma.job.findUnique({ where: { id }, omit: { payload: true, checkpoint: true } })
      : null;
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
    const rows = await this.db.driver.query<ClaimRow>(
      `UPDATE job SET state = 'running', locked_at = now(), locked_by = $1, attempts = attempts + 1, updated_at = now()
       WHERE id = (SELECT id FROM job WHERE state = 'queued' AND run_at <= now() AND queue = ANY($2::text[])
                   ORDER BY run_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${CLAIMED}`,
      [runner, [...queues]],
    );
    return rows[0] ? toClaimed(rows[0]) : null;
  }

  /**
   * Claims one given job for a transport that picks jobs itself (BullMQ): only a `queued` row
   * can be claimed, so a duplicate or stale BullMQ job for a row that is running elsewhere or
   * finished does nothing. Counts the attempt.
   */
  async claim(id: string, runner: string): Promise<ClaimedJob | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.driver.query<ClaimRow>(
      `UPDATE job SET state = 'running', locked_at = now(), locked_by = $2, attempts = attempts + 1, updated_at = now()
       WHERE id = $1::uuid AND state = 'queued' RETURNING ${CLAIMED}`,
      [id, runner],
    );
    return rows[0] ? toClaimed(rows[0]) : null;
  }

  /**
   * Saves what a running job has done so far (given back to the next attempt after a crash), in
   * `tx` when given (the transaction of the work it counts).
   */
  async checkpoint(id: string, data: unknown, tx?: Tx): Promise<void> {
    const sql = `UPDATE job SET checkpoint = $2::jsonb, locked_at = now(), updated_at = now() WHERE id = $1::uuid AND state = 'running'`;
    const params = [id, JSON.stringify(data ?? null)];
    if (tx) await tx.$executeRawUnsafe(sql, ...params);
    else await this.db.driver.query(sql, params);
  }

  async progress(id: string, progress: number): Promise<void> {
    await this.db.prisma.job.update({
      where: { id },
      data: { progress: Math.max(0, Math.min(100, Math.round(progress))), lockedAt: new Date() },
      select: { id: true },
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
        checkpoint: Prisma.DbNull,
        finishedAt: new Date(),
      },
      select: { id: true },
    });
  }

  /** Requeues after `retryInMs`, or marks the job failed when `retryInMs` is null. */
  async fail(id: string, error: string, retryInMs: number | null): Promise<void> {
    const lastError = error.slice(0, 2000);
    if (retryInMs === null) {
      await this.db.prisma.job.update({
        where: { id },
        data: { state: 'failed', lastError, lockedAt: null, lockedBy: null, finishedAt: new Date() },
        select: { id: true },
      });
      return;
    }
    await this.db.driver.query(
      `UPDATE job SET state = 'queued', last_error = $2, locked_at = NULL, locked_by = NULL, updated_at = now(),
              run_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1::uuid`,
      [id, lastError, retryInMs],
    );
  }

  /**
   * Puts a job this runner stopped at a safe point (shutdown) back in the queue, due now, with
   * its checkpoint. The run is still counted in `attempts`, but `max_attempts` grows by one so
   * that an interruption never uses up the job's retries. Returns the attempt number the next
   * run will have, or null when the row was no longer ours.
   */
  async giveBack(id: string, runner: string): Promise<number | null> {
    const rows = await this.db.driver.query<{ attempts: number }>(
      `UPDATE job SET state = 'queued', max_attempts = max_attempts + 1, locked_at = NULL, locked_by = NULL,
              run_at = now(), updated_at = now()
        WHERE id = $1::uuid AND state = 'running' AND locked_by = $2 RETURNING attempts`,
      [id, runner],
    );
    return rows[0] ? rows[0].attempts + 1 : null;
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
   * `running` rows whose runner is gone: their lock is older than `leaseMs`, or they are held by
   * one of `deadRunners` (processes known to have died), or by a BullMQ job that BullMQ itself
   * failed (`bullFailed`). Each goes back to the queue, or fails when it has used its attempts;
   * a failed one's `onFailed` runs in the same transaction (its handler's records follow).
   * Returns the requeued rows (for the transport) and how many failed.
   */
  async recoverInterrupted(
    queues: readonly QueueName[],
    leaseMs: number,
    deadRunners: readonly string[],
    bullFailed: ReadonlyMap<string, string> = new Map(),
    onFailed: (tx: Tx, queue: QueueName, payload: unknown, reason: string) => Promise<void> = async () =>
      undefined,
  ): Promise<{ requeued: JobBrief[]; failed: number }> {
    const rows = await this.db.driver.query<{ id: string; reason: string | null }>(
      `SELECT id, NULL::text AS reason FROM job
        WHERE state = 'running' AND queue = ANY($1::text[])
          AND (locked_at IS NULL OR locked_at < now() - make_interval(secs => $2::float8 / 1000)
               OR locked_by = ANY($3::text[]) OR id = ANY($4::uuid[]))`,
      [[...queues], leaseMs, [...deadRunners], [...bullFailed.keys()]],
    );
    const requeued: JobBrief[] = [];
    let failed = 0;
    for (const r of rows) {
      const why = bullFailed.get(r.id) ?? 'interrupted: the process running it stopped';
      // Only if still running and not re-locked meanwhile (a live runner's heartbeat wins).
      const done = await this.db.transaction(async (tx) => {
        const out = await tx.$queryRawUnsafe<
          {
            id: string;
            queue: QueueName;
            attempts: number;
            max_attempts: number;
            state: JobStateName;
            payload: unknown;
            last_error: string;
          }[]
        >(
          `UPDATE job SET
           state = CASE WHEN attempts >= max_attempts THEN 'failed'::"JobState" ELSE 'queued'::"JobState" END,
           last_error = CASE WHEN attempts >= max_attempts
                             THEN left($2 || ' (attempt ' || attempts || ' of ' || max_attempts || ')', 2000)
                             ELSE left($2, 2000) END,
           finished_at = CASE WHEN attempts >= max_attempts THEN now() ELSE NULL END,
           locked_at = NULL, locked_by = NULL, run_at = now(), updated_at = now()
         WHERE id = $1::uuid AND state = 'running'
           AND (locked_at IS NULL OR locked_at < now() - make_interval(secs => $3::float8 / 1000)
                OR locked_by = ANY($4::text[]) OR $5::boolean)
         RETURNING id::text AS id, queue, attempts, max_attempts, state::text AS state, last_error,
                   CASE WHEN state = 'failed' THEN payload END AS payload`,
          r.id,
          why,
          leaseMs,
          [...deadRunners],
          bullFailed.has(r.id),
        );
        const j = out[0];
        if (j?.state === 'failed') await onFailed(tx, j.queue, parseJson(j.payload), j.last_error);
        return out;
      });
      const j = done[0];
      if (!j) continue;
      if (j.state === 'failed') failed++;
      else
        requeued.push({
          id: j.id,
          queue: j.queue,
          attempts: j.attempts,
          maxAttempts: j.max_attempts,
          lockedBy: null,
          dueInMs: 0,
        });
    }
    return { requeued, failed };
  }

  /** Runners named in `running` rows (to find the ones whose process died). */
  async runningRunners(queues: readonly QueueName[]): Promise<string[]> {
    const rows = await this.db.driver.query<{ locked_by: string }>(
      `SELECT DISTINCT locked_by FROM job WHERE state = 'running' AND locked_by IS NOT NULL AND queue = ANY($1::text[])`,
      [[...queues]],
    );
    return rows.map((r) => r.locked_by);
  }

  /** `running` rows (for comparing with BullMQ's view). */
  async running(queues: readonly QueueName[], limit = 500): Promise<JobBrief[]> {
    return this.briefs(`state = 'running'`, queues, 0, limit);
  }

  /** `queued` rows not touched for `quietMs` (for re-handing to BullMQ when it lost them). */
  async queuedQuiet(queues: readonly QueueName[], quietMs: number, limit = 500): Promise<JobBrief[]> {
    return this.briefs(`state = 'queued'`, queues, quietMs, limit);
  }

  private async briefs(
    where: string,
    queues: readonly QueueName[],
    quietMs: number,
    limit: number,
  ): Promise<JobBrief[]> {
    const rows = await this.db.driver.query<{
      id: string;
      queue: QueueName;
      attempts: number;
      max_attempts: number;
      locked_by: string | null;
      due_ms: number;
    }>(
      `SELECT id, queue, attempts, max_attempts, locked_by,
              (extract(epoch FROM run_at - now()) * 1000)::float8 AS due_ms
         FROM job WHERE ${where} AND queue = ANY($1::text[])
          AND updated_at < now() - make_interval(secs => $2::float8 / 1000)
        ORDER BY run_at LIMIT $3`,
      [[...queues], quietMs, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      queue: r.queue,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      lockedBy: r.locked_by,
      dueInMs: r.due_ms,
    }));
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
