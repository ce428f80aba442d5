import { z } from 'zod';
import {
  ROLES,
  SCOPES,
  cursorSchema,
  emailSchema,
  isoDateTime,
  jsonDates,
  limitSchema,
  pageSchema,
  uuidSchema,
} from '@app/core';
import type { Prisma } from '@app/database';

/**
 * The shapes of users and API keys, written once: the services validate with them, REST derives
 * its DTOs and OpenAPI from them (apps/server/src/users, apps/server/src/api-keys), MCP builds its
 * user output from them, and the admin's types are generated from the OpenAPI document.
 * The password rule (zxcvbn, needs the email and name) is checked by the service after parsing.
 */

export const NAME_MAX = 200;
export const PASSWORD_MAX = 1024;
export const KEY_NAME_MAX = 100;

export const roleSchema = z.enum(ROLES).meta({ example: 'agent' });
export const scopeSchema = z.enum(SCOPES).meta({ example: 'tickets:read' });

const password = z.string().max(PASSWORD_MAX).meta({
  minLength: 12,
  description:
    'At least 12 characters and not easy to guess (zxcvbn score 3+, not a common password); a refusal says why in `errors`.',
});
const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .meta({ example: 3, description: 'The version the change is based on (or the If-Match header)' });

/** Writable fields of a user with their limits. */
export const userFields = {
  email: emailSchema.meta({ example: 'dana@example.com' }),
  name: z.string().trim().min(1).max(NAME_MAX).meta({ example: 'Dana Agent' }),
  role: roleSchema,
  active: z.boolean(),
  password,
};

export const userSchema = z.object({
  id: uuidSchema,
  email: z.string().meta({ example: 'dana@example.com' }),
  name: z.string().meta({ example: 'Dana Agent' }),
  role: roleSchema,
  active: z.boolean(),
  version: z.number().int().meta({ example: 1 }),
  lastLoginAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type UserDto = z.infer<typeof userSchema>;
export const userPageSchema = pageSchema(userSchema);

export const createUserSchema = z.strictObject({
  email: userFields.email,
  name: userFields.name,
  role: userFields.role,
  password: userFields.password
    .optional()
    .meta({ description: `Initial password; omit for a user who cannot sign in. ${password.description}` }),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z.strictObject({
  name: userFields.name.optional(),
  role: userFields.role.optional(),
  active: userFields.active.optional(),
  password: userFields.password.optional().meta({ description: 'Same rules as at creation' }),
  expectedVersion,
});
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export const listUsersSchema = z.strictObject({
  query: z.string().trim().max(254).optional().meta({ description: 'Matches email or name' }),
  role: roleSchema.optional(),
  active: z.boolean().optional(),
  limit: limitSchema.optional(),
  cursor: cursorSchema.nullable().optional(),
});
export type ListUsersInput = z.input<typeof listUsersSchema>;

/** A user row (Prisma's payload type; passwordHash and credentialsVersion never leave the lib). */
export type UserRow = Prisma.UserGetPayload<object>;

/** Row → the output shape (fields the schema does not declare, like passwordHash, are dropped). */
export const toUserDto = (row: UserRow): UserDto => userSchema.parse(jsonDates(row));

/** Public summary embedded in tickets and comments. */
export const toUserRef = (u: { id: string; email: string; name: string }) => ({
  id: u.id,
  email: u.email,
  name: u.name,
});

export const apiKeySchema = z.object({
  id: uuidSchema,
  name: z.string().meta({ example: 'Claude Desktop' }),
  prefix: z.string().meta({ example: 'Xy3k9QaB', description: 'First characters, to recognise the key' }),
  scopes: z.array(scopeSchema),
  ownerId: uuidSchema,
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  expiresAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
});
export type ApiKeyDto = z.infer<typeof apiKeySchema>;
export const apiKeyPageSchema = pageSchema(apiKeySchema);

export const createdApiKeySchema = apiKeySchema.extend({
  secret: z
    .string()
    .meta({ example: 'cdk_Xy3k9QaB_…', description: 'The secret, shown only in this response' }),
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(KEY_NAME_MAX).meta({ example: 'Claude Desktop' }),
  scopes: z
    .array(scopeSchema)
    .min(1)
    .max(SCOPES.length)
    .overwrite((s) => [...new Set(s)])
    .meta({ example: ['kb:read', 'tickets:read'] }),
  expiresAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .refine((v) => !v || Date.parse(v) > Date.now(), 'must be in the future')
    .meta({ description: 'When the key stops working; omit for a key that does not expire' }),
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

export type ApiKeyRow = Prisma.ApiKeyGetPayload<object>;

/** Row → the output shape (the secret hash is dropped; unknown scopes from older rows too). */
export const toApiKeyDto = (row: ApiKeyRow): ApiKeyDto =>
  apiKeySchema.parse({
    ...(jsonDates(row) as object),
    scopes: row.scopes.filter((s) => (SCOPES as readonly string[]).includes(s)),
  });
