import { z } from 'zod';
import { InvalidError, type FieldError } from './errors';
import { DEFAULT_LIMIT, MAX_LIMIT } from './pagination';

/**
 * Building blocks of the domain schemas (zod). Each lib writes its shapes once with these; the
 * services validate with them, REST derives its DTOs and OpenAPI from them, MCP uses them as
 * tool schemas. See docs/architecture.md.
 */

export const EMAIL_MAX = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;

/** An email address (user@localhost included), trimmed and lower-cased. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX)
  .regex(EMAIL, 'must be an email address')
  .meta({ example: 'sam@example.com' });

export const uuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID')
  .meta({ format: 'uuid', example: '3f2c9a52-8d1e-4c61-9a0b-6f1d2e7c4b10' });

/** A timestamp in API output: ISO-8601 in UTC. */
export const isoDateTime = z.iso.datetime().meta({ example: '2026-01-05T09:30:00.000Z' });

/** Tags: trimmed, lower-cased, de-duplicated (order kept), blanks dropped. */
export const tagsSchema = (maxTags: number, maxLength: number) =>
  z
    .array(z.string().trim().toLowerCase().max(maxLength))
    .overwrite((tags) => [...new Set(tags)].filter(Boolean))
    .max(maxTags)
    .meta({ example: ['login', 'email'] });

export const limitSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .meta({ description: `page size (default ${DEFAULT_LIMIT})` });
export const cursorSchema = z
  .string()
  .max(500)
  .meta({ description: 'opaque cursor: the nextCursor of the previous page' });

/**
 * `{items, nextCursor}` of a list. (A nullable string needs a description or a check on the
 * string itself: zod writes a bare one as `type: ["string","null"]`, which @nestjs/swagger reads
 * as an array of strings.)
 */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().describe('pass as cursor for the next page; null on the last page').nullable(),
  });

/** A user as embedded in other records (requester, assignee, author). */
export const userRefSchema = z
  .object({ id: uuidSchema, email: z.string(), name: z.string() })
  .meta({ id: 'UserRef' });
export type UserRefDto = z.infer<typeof userRefSchema>;

/** Field errors of a failed parse: `a.b[0]` paths; unknown keys are named one by one. */
export function fieldErrorsOf(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = pathOf(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        field: base ? `${base}.${k}` : k,
        message: 'is not an accepted field',
      }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );

/**
 * Parses `input` with `schema`, or throws an InvalidError naming each bad field. The one way a
 * service validates what a door hands it.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrorsOf(result.error);
  throw new InvalidError(
    `${what} is not valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
  );
}

/** Dates to ISO strings, recursively (rows → the JSON the output schemas describe). */
export function jsonDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonDates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonDates(v)]));
  }
  return value;
}
