import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService } from '@app/database';
import { JobExecutor } from './job-executor';

const CONCURRENCY = 4;
const IDLE_POLL_MS = 1000;
const SHUTDOWN_WAIT_MS = 5000;

/**
 * The runner without Redis: the `job` table is the queue. Jobs survive restarts because they
 * are rows; a job left `running` by a process that died is requeued at boot (embedded mode:
 * one process owns the data, so all of them) or once its lock is older than
 * JOB_LOCK_TIMEOUT_MS (shared Postgres: live runners refresh their locks).
 */
@Injectable()
export class InProcessRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly active = new Map<string, Promise<void>>();
  private stopped = true;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly exec: JobExecutor,
    private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const requeued = await this.exec.store.requeueStale(
      this.exec.queues,
      this.config.jobLockTimeoutMs,
      this.db.kind === 'pglite',
    );
    if (requeued) this.logger.log(`requeued ${requeued} interrupted job(s)`);
    this.stopped = false;
    const beat = Math.max(50, Math.floor(this.config.jobLockTimeoutMs / 3));
    this.heartbeat = setInterval(() => {
      this.exec.store.heartbeat([...this.active.keys()]).catch(() => undefined);
      // Another runner's dead job becomes claimable here.
      this.exec.store
        .requeueStale(this.exec.queues, this.config.jobLockTimeoutMs)
        .then((n) => n && this.kick())
        .catch(() => undefined);
    }, beat);
    this.heartbeat.unref();
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.kick();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.loop;
    // Jobs still running after the grace period stay `running`; the next start requeues them.
    await Promise.race([
      Promise.allSettled([...this.active.values()]),
      new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref()),
    ]);
  }

  /** Looks for work now (called after an enqueue). */
  kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = false;
      if (this.active.size < CONCURRENCY) {
        try {
          const job = await this.exec.store.claimNext(this.exec.queues, this.exec.runnerId);
          if (job && !this.stopped) {
            claimed = true;
            const p = this.exec
              .run(job, job.attempts >= job.maxAttempts)
              .then(() => undefined)
              .finally(() => {
                this.active.delete(job.id);
                this.kick();
              });
            this.active.set(job.id, p);
          }
        } catch (e) {
          if (!this.stopped) this.logger.warn(`claiming a job failed: ${(e as Error).message}`);
        }
      }
      if (claimed) continue;
      const due = this.active.size < CONCURRENCY ? await this.nextDue() : IDLE_POLL_MS;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(5, Math.min(IDLE_POLL_MS, due)));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private async nextDue(): Promise<number> {
    try {
      return (await this.exec.store.nextDueInMs(this.exec.queues)) ?? IDLE_POLL_MS;
    } catch {
      return IDLE_POLL_MS;
    }
  }
}
