export * from './import-parser';
export * from './imports.service';
export * from './job-handler';
export * from './job-queue';
export * from './job-store';
export * from './jobs.module';
export * from './queues';
export * from './webhooks.service';
