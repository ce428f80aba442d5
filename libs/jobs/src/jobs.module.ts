import { DynamicModule, Module, type Provider } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { KnowledgeModule } from '@app/knowledge';
import { BULL_PROCESSORS, bullImports } from './bullmq';
import { ImportHandler } from './import.handler';
import { ImportsService } from './imports.service';
import { IndexingHandler } from './indexing.handler';
import { InProcessRunner } from './in-process-runner';
import { JobExecutor } from './job-executor';
import { JobHandlerRegistry } from './job-handler';
import { JobQueue } from './job-queue';
import { JobReconciler } from './job-reconciler';
import { JobStore } from './job-store';

/**
 * Background work. With REDIS_URL: BullMQ queues everywhere, `WorkerHost` processors only where
 * jobs run (RUN_JOBS on the server; always in apps/worker). Without: the in-process runner on
 * the `job` table. Enqueueing, the job record and the handlers are the same in both.
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig, opts: { runJobs?: boolean } = {}): DynamicModule {
    const runJobs = opts.runJobs ?? config.runJobs;
    const bull = !!config.redisUrl;
    const runners: Provider[] = !runJobs
      ? []
      : bull
        ? [...BULL_PROCESSORS, JobReconciler]
        : [InProcessRunner, JobReconciler];
    return {
      module: JobsModule,
      global: true,
      imports: [KnowledgeModule, ...(bull ? bullImports(config) : [])],
      providers: [
        JobHandlerRegistry,
        JobStore,
        JobExecutor,
        JobQueue,
        ImportHandler,
        ImportsService,
        IndexingHandler,
        ...runners,
      ],
      exports: [JobQueue, JobStore, JobHandlerRegistry, ImportsService],
    };
  }
}
