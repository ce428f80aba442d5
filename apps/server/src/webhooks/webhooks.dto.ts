import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliveryPageSchema,
  webhookListSchema,
  webhookSchema,
} from '@app/webhooks';
import { createZodDto } from '../http/zod-dto';
import { PageQueryDto } from '../http/page-query.dto';

export class CreateWebhookDto extends createZodDto(createWebhookSchema) {}
export class UpdateWebhookDto extends createZodDto(updateWebhookSchema) {}
export class WebhookResponse extends createZodDto(webhookSchema) {}
export class WebhookList extends createZodDto(webhookListSchema) {}
export class DeliveryPage extends createZodDto(webhookDeliveryPageSchema) {}

export class DeliveriesQuery extends PageQueryDto {}
