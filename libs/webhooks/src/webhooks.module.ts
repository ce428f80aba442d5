import { Module } from '@nestjs/common';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks: registrations, the durable dispatcher over the outbox, and the delivery job
 * handler. Needs the global JobsModule (queue, handler registry) and EventsModule.
 */
@Module({
  providers: [WebhooksService, WebhookDispatcher, WebhookDeliveryHandler],
  exports: [WebhooksService, WebhookDispatcher],
})
export class WebhooksModule {}
