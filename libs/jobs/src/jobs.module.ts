import { DynamicModule, Module, type Provider } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { bullImports, bullProcessors } from './bullmq';
import { InProcessRunner } from './in-process-runner';
import { JobExecutor } from './job-executor';
import { JobHandlerRegistry } from './job-handler';
import { JobQueue } from './job-queue';
import { JobReconciler } from './job-reconciler';
import { JobStore } from './job-store';

/**
 * The queue (background work; the handlers live in the libs that own the work and register with
 * JobHandlerRegistry). With REDIS_URL: BullMQ queues everywhere, `WorkerHost` processors only where
 * jobs run (RUN_JOBS on the server; always in apps/worker). Without: the in-process runner on
 * the `job` table. Enqueueing, the job record and the handlers are the same in both. The
 * reconciler runs on every instance, RUN_JOBS=false ones too: a `queued` row that Redis lost,
 * or one whose runner died, is handed over again as long as any instance is alive (not only
 * while a worker is).
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig, opts: { runJobs?: boolean } = {}): DynamicModule {
    const runJobs = opts.runJobs ?? config.runJobs;
    const bull = !!config.redisUrl;
    const runners: Provider[] = !runJobs ? [] : bull ? bullProcessors() : [InProcessRunner];
    return {
      module: JobsModule,
      global: true,
      imports: bull ? bullImports(config) : [],
      providers: [JobHandlerRegistry, JobStore, JobExecutor, JobQueue, JobReconciler, ...runners],
      exports: [JobQueue, JobStore, JobHandlerRegistry],
    };
  }
}
