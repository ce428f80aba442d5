import { z } from 'zod';
import { limitSchema } from '@app/core';

const queryLimit = z.coerce.number().pipe(limitSchema).optional();

/** A list's domain schema read from a query string, where `limit` arrives as text. */
export const asQuery = <T extends z.ZodRawShape>(schema: z.ZodObject<T, z.core.$strict>) =>
  schema.extend({ limit: queryLimit });
