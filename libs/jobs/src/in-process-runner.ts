import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { JobExecutor } from './job-executor';

const CONCURRENCY = 4;
const IDLE_POLL_MS = 1000;
const SHUTDOWN_WAIT_MS = 5000;

/**
 * The runner without Redis: the `job` table is the queue. Jobs survive restarts because they
 * are rows; a job left `running` by a process that died is put back by the
 * {@link JobReconciler}, which wakes this runner.
 */
@Injectable()
export class InProcessRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly active = new Map<string, Promise<void>>();
  private stopped = true;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  /** Enqueues here wake the runner and delays are read from the table; the poll finds other instances' jobs. */
  private readonly idlePollMs: number;

  constructor(
    private readonly exec: JobExecutor,
    config: AppConfig,
  ) {
    this.idlePollMs = Math.max(IDLE_POLL_MS, config.eventPollMs);
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.kick();
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
      if (this.active.size < CONCURRENCY && !this.exec.isStopping) {
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
      const due = this.active.size < CONCURRENCY ? await this.nextDue() : this.idlePollMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(5, Math.min(this.idlePollMs, due)));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private async nextDue(): Promise<number> {
    try {
      return (await this.exec.store.nextDueInMs(this.exec.queues)) ?? this.idlePollMs;
    } catch {
      return this.idlePollMs;
    }
  }
}
