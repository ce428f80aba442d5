import { Module } from '@nestjs/common';
import { ImportsController } from '../imports/imports.controller';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { JobsController } from './jobs.controller';

/** REST doors for jobs, imports and webhooks (services come from the global JobsModule). */
@Module({ controllers: [JobsController, ImportsController, WebhooksController] })
export class JobsHttpModule {}
