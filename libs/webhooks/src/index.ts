/** Public API of libs/webhooks: what other libs, the apps and the tests use. */
export { WebhooksModule } from './webhooks.module';
export { WebhooksService } from './webhooks.service';
export {
  type CreateWebhookInput,
  type UpdateWebhookInput,
  type WebhookAttemptDto,
  type WebhookDeliveryDto,
  type WebhookDto,
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
  webhookListSchema,
  webhookSchema,
} from './webhook.schema';
