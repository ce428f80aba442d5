import { z } from 'zod';
import { isoDateTime, pageSchema, uuidSchema } from '@app/core';
import { DeliveryStatus } from '@app/database';

/**
 * A webhook's shapes, written once: the service validates with them, REST derives its DTOs and
 * OpenAPI from them, the admin's types are generated from that. The target address policy (no
 * private networks unless WEBHOOK_ALLOW_PRIVATE) needs DNS, so the service checks it after these.
 */

const EVENT_NAME = /^(\*|[a-z]+\.\*|[a-z]+\.[a-z_]+)$/;

const isHttpUrl = (value: string): boolean => {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

export const webhookFields = {
  url: z
    .string()
    .max(2000)
    .refine(isHttpUrl, 'must be an http(s) URL')
    .meta({ example: 'https://example.com/hooks/context-desk' }),
  events: z
    .array(z.string().regex(EVENT_NAME, 'each event must look like "ticket.created", "ticket.*" or "*"'))
    .min(1)
    .max(50)
    .overwrite((events) => [...new Set(events)])
    .meta({
      example: ['ticket.created', 'ticket.sla_breached'],
      description: 'Event names, `topic.*` or `*`',
    }),
  secret: z
    .string()
    .min(16)
    .max(200)
    .meta({ description: 'HMAC-SHA256 key for X-Context-Desk-Signature; never returned' }),
  active: z.boolean(),
};

export const createWebhookSchema = z.strictObject({
  ...webhookFields,
  active: webhookFields.active.default(true),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

export const updateWebhookSchema = z.strictObject({
  ...z.object(webhookFields).partial().shape,
  expectedVersion: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ example: 2, description: 'The version you read (or send If-Match)' }),
});
export type UpdateWebhookInput = z.input<typeof updateWebhookSchema>;

export const webhookSchema = z.object({
  id: uuidSchema,
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  version: z.number().int(),
  createdById: uuidSchema.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type WebhookDto = z.infer<typeof webhookSchema>;
export const webhookListSchema = z.object({ items: z.array(webhookSchema) });

export const webhookAttemptSchema = z.object({
  attempt: z.number().int(),
  responseStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  at: isoDateTime,
});
export type WebhookAttemptDto = z.infer<typeof webhookAttemptSchema>;

export const webhookDeliverySchema = z.object({
  id: uuidSchema,
  webhookId: uuidSchema,
  eventId: z.number().int(),
  event: z.string().meta({ example: 'ticket.created' }),
  status: z.enum(DeliveryStatus),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: isoDateTime.nullable(),
  deliveredAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  attemptLog: z.array(webhookAttemptSchema),
});
export type WebhookDeliveryDto = z.infer<typeof webhookDeliverySchema>;
export const webhookDeliveryPageSchema = pageSchema(webhookDeliverySchema);
