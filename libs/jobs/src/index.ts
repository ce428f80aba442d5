/** Public API of libs/jobs: what other libs, the apps and the tests use. */
export { type JobContext, type JobHandler, JobHandlerRegistry, PermanentJobError } from './job-handler';
export { JobQueue } from './job-queue';
export { type JobDto, JobStore } from './job-store';
export { JobsModule } from './jobs.module';
export {
  type ImportDocument,
  type ImportFailure,
  type ImportResult,
  type JobPayloads,
  QUEUE_RETRY,
  retryDelayMs,
} from './queues';
export { JobInterruptedError } from './job-handler';
