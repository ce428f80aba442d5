import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { ImportsController } from '../imports/imports.controller';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { JobsController } from './jobs.controller';

/** REST doors for jobs, imports and webhooks (job services come from the global JobsModule). */
@Module({ imports: [WebhooksModule], controllers: [JobsController, ImportsController, WebhooksController] })
export class JobsHttpModule {}
