/** Public API of libs/jobs: what other libs, the apps and the tests use. */
export { type JobContext, type JobHandler, JobHandlerRegistry, PermanentJobError } from './job-handler';
export { JobQueue } from './job-queue';
export { JobStore } from './job-store';
export {
  type ImportFailure,
  type ImportResult,
  type JobDto,
  type JobStateName,
  importFailureSchema,
  importJobSchema,
  importResultSchema,
  jobSchema,
  jobStateSchema,
} from './job.schema';
export { JobsModule } from './jobs.module';
export { type ImportDocument, type JobPayloads, QUEUE_RETRY, retryDelayMs } from './queues';
export { JobInterruptedError } from './job-handler';
