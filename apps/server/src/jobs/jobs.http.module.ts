import { Module } from '@nestjs/common';
import { KnowledgeJobsModule } from '@app/knowledge';
import { WebhooksModule } from '@app/webhooks';
import { ImportsController } from '../imports/imports.controller';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { JobsController } from './jobs.controller';

/** REST doors for jobs, imports and webhooks (the queue comes from the global JobsModule). */
@Module({
  imports: [KnowledgeJobsModule, WebhooksModule],
  controllers: [JobsController, ImportsController, WebhooksController],
})
export class JobsHttpModule {}
