/** Public API of libs/webhooks: what other libs, the apps and the tests use. */
export { WebhooksModule } from './webhooks.module';
export { type WebhookDeliveryDto, type WebhookDto, WebhooksService } from './webhooks.service';
