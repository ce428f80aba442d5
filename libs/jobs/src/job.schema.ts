import { z } from 'zod';
import { isoDateTime, uuidSchema } from '@app/core';
import { QUEUE_NAMES } from './queues';

/**
 * A job's public shape and the import result, written once: the job store builds its output with
 * them, REST derives `JobResponse` and OpenAPI from them, the admin's types are generated from that.
 */

export const jobStateSchema = z.enum(['queued', 'running', 'completed', 'failed']);
export type JobStateName = z.infer<typeof jobStateSchema>;

export const importFailureSchema = z.object({
  item: z
    .string()
    .meta({ description: 'Slug, file name or position of the item', example: 'reset-password' }),
  reason: z.string().meta({ example: 'title must be 1 to 300 characters' }),
});
export type ImportFailure = z.infer<typeof importFailureSchema>;

const count = z.number().int().min(0);
/** `result` of a finished import job. */
export const importResultSchema = z.object({
  created: count,
  updated: count,
  unchanged: count.meta({
    description: 'Already present with the same content (also what a resumed import finds it had created)',
  }),
  failed: count,
  failures: z.array(importFailureSchema),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const jobSchema = z.object({
  id: uuidSchema,
  queue: z.enum(QUEUE_NAMES as [string, ...string[]]).meta({ example: 'imports' }),
  name: z.string().meta({ example: 'imports' }),
  state: jobStateSchema,
  progress: z.number().int().min(0).max(100),
  attempts: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  /** What the handler returned (each queue its own shape); null until it completes. */
  result: z.unknown(),
  lastError: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export type JobDto = z.infer<typeof jobSchema>;

/** A job of the imports queue, as `POST /api/v1/imports` and `GET /api/v1/jobs/{id}` describe it. */
export const importJobSchema = jobSchema.extend({
  result: importResultSchema.nullable().meta({
    description: 'When completed: counts of created, updated, unchanged and failed items, with reasons',
  }),
});
