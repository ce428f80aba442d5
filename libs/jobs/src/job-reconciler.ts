import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { AppConfig } from '@app/config';
import { DatabaseService } from '@app/database';
import { InProcessRunner } from './in-process-runner';
import { JobExecutor, LIVE_RUNNERS } from './job-executor';
import { JobQueue, bullJobId } from './job-queue';
import type { JobBrief } from './job-store';

/** A queued row untouched this long and unknown to BullMQ is handed to it again. */
const QUIET_MS = 3000;

/**
 * Makes the queue converge on the `job` table, which is the truth. On every instance (also
 * those with RUN_JOBS=false, which only enqueue), at start-up and then every JOB_RECONCILE_MS
 * (one cheap indexed query when all is well):
 *
 * - `running` rows whose runner is gone go back to `queued` (or `failed` once their attempts
 *   are used): their lock lapsed (JOB_LOCK_TIMEOUT_MS without a heartbeat), their runner was a
 *   process on this host that no longer exists (so a job interrupted by a crash resumes within
 *   seconds of the restart, not after the lock timeout), or BullMQ failed their job by itself
 *   (stalled too often) — the row takes BullMQ's reason;
 * - with BullMQ, `queued` rows it does not know (Redis restarted or wiped, a hand-over that
 *   failed while Redis was down) are handed to it again, with the delay left until `run_at`.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly exec: JobExecutor,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly db: DatabaseService,
    // An explicit token, as in JobQueue (a `| null` type is emitted as `Object`).
    @Optional() @Inject(InProcessRunner) private readonly runner: InProcessRunner | null = null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.jobReconcileMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass (also called by tests). Errors are logged: the next pass tries again. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.reconcile()
      .catch((e: Error) => this.logger.warn(`reconciling jobs failed: ${e.message.split('\n')[0]}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const store = this.exec.store;
    const queues = this.exec.queues;
    const dead = (await store.runningRunners(queues)).filter((r) => this.isDead(r));
    const bullFailed = this.jobs.usesBull ? await this.bullFailed(await store.running(queues)) : new Map();
    const { requeued, failed } = await store.recoverInterrupted(
      queues,
      this.config.jobLockTimeoutMs,
      dead,
      bullFailed,
      (tx, queue, payload, reason) => this.exec.failedOutside(tx, queue, payload, reason),
    );
    if (requeued.length || failed)
      this.logger.log(`recovered interrupted jobs: ${requeued.length} requeued, ${failed} failed`);
    if (this.jobs.usesBull) {
      await this.jobs.submit(requeued.map((j) => ({ queue: j.queue, id: j.id, attempt: j.attempts + 1 })));
      await this.resubmitUnknown(await store.queuedQuiet(queues, QUIET_MS));
    } else if (requeued.length) this.runner?.kick();
  }

  /**
   * Whether the runner that locked a row is certainly gone: embedded mode has one process per
   * data directory, so any runner but ours is; on a shared database, only a process of this
   * host that no longer exists (others are left to the lock timeout).
   */
  private isDead(runnerId: string): boolean {
    if (LIVE_RUNNERS.has(runnerId)) return false;
    if (this.db.kind === 'pglite') return true;
    const m = /^(.*):(\d+):[0-9a-f]+$/.exec(runnerId);
    if (!m || m[1] !== hostname()) return false;
    const pid = Number(m[2]);
    if (pid === process.pid) return true; // an earlier process with our pid (container restart)
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'EPERM';
    }
  }

  /** Running rows whose current BullMQ job BullMQ has failed (stalled too often, or crashed). */
  private async bullFailed(rows: JobBrief[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of rows) {
      const id = bullJobId(r.id, r.attempts);
      if ((await this.jobs.bullState(r.queue, id)) !== 'failed') continue;
      const reason = (await this.jobs.bullFailedReason(r.queue, id)) ?? 'failed in the queue';
      out.set(r.id, `interrupted: ${reason}`);
    }
    return out;
  }

  private async resubmitUnknown(rows: JobBrief[]): Promise<void> {
    const lost: { queue: JobBrief['queue']; id: string; attempt: number; delayMs: number }[] = [];
    for (const r of rows) {
      const id = bullJobId(r.id, r.attempts + 1);
      const state = await this.jobs.bullState(r.queue, id);
      if (state === 'completed' || state === 'failed') await this.jobs.bullRemove(r.queue, id);
      else if (state !== 'unknown') continue;
      lost.push({ queue: r.queue, id: r.id, attempt: r.attempts + 1, delayMs: Math.max(0, r.dueInMs) });
    }
    if (lost.length) {
      this.logger.log(`handing ${lost.length} queued job(s) BullMQ did not know to it again`);
      await this.jobs.submit(lost);
    }
  }
}
