import { z } from 'zod';
import { cursorSchema, isoDateTime, limitSchema, pageSchema } from '@app/core';

/** One audit entry as the API shows it: the one shape behind the service, REST and the admin. */
export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    actorType: z.string().meta({ example: 'user' }),
    actorId: z.string().nullable().meta({ description: 'User or API key id (null: anonymous)' }),
    actorLabel: z.string().nullable().meta({ description: 'Email or key name at the time' }),
    channel: z.string().meta({ example: 'rest' }),
    action: z.string().meta({ example: 'ticket.update' }),
    targetType: z.string().nullable().meta({ description: 'What was acted on (null: nothing)' }),
    targetId: z.string().nullable().meta({ description: 'Its id (null: nothing)' }),
    outcome: z.string().meta({ description: 'success, error or denied', example: 'success' }),
    detail: z.string().nullable().meta({ description: 'Why it was denied or failed' }),
    argsHash: z.string().nullable().meta({ description: 'SHA-256 of the arguments (null: none)' }),
    durationMs: z.number().int().nullable().meta({ description: 'How long it took (null: unknown)' }),
    createdAt: isoDateTime,
  })
  .meta({ id: 'AuditEntry' });
export type AuditDto = z.infer<typeof auditEntrySchema>;
export const auditPageSchema = pageSchema(auditEntrySchema).meta({ description: 'Newest first' });

export const auditQuerySchema = z.strictObject({
  actorId: z.string().max(64).optional(),
  action: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Exact action, or a prefix ending in * (e.g. mcp.*)' }),
  outcome: z.enum(['success', 'error', 'denied']).optional(),
  channel: z.enum(['rest', 'mcp', 'ws', 'cli', 'job', 'system']).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  limit: limitSchema.optional(),
  cursor: cursorSchema.optional(),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;
