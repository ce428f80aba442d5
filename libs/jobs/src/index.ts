export {
  checkFrontMatterValue,
  FRONT_MATTER_LIMITS,
  FrontMatterError,
  FrontMatterParser,
  precheckFrontMatter,
  splitFrontMatter,
  type SplitMarkdown,
} from './front-matter';
export { type ParsedImport, parseJsonImport, parseMarkdownFiles, toImportDocument } from './import-parser';
export { ImportsService, MAX_IMPORT_ITEMS } from './imports.service';
export { type JobContext, type JobHandler, JobHandlerRegistry, PermanentJobError } from './job-handler';
export { bullJobId, type EnqueueOptions, JobQueue } from './job-queue';
export {
  type ClaimedJob,
  type JobBrief,
  type JobDto,
  type JobStateName,
  JobStore,
  type NewJob,
  toJobDto,
} from './job-store';
export { JobsModule } from './jobs.module';
export {
  backoffMs,
  type ImportDocument,
  type ImportFailure,
  type ImportResult,
  type JobPayloads,
  QUEUE_NAMES,
  QUEUE_RETRY,
  type QueueName,
  QUEUES,
  retryDelayMs,
} from './queues';
export { ImportHandler } from './import.handler';
export { JobReconciler } from './job-reconciler';
