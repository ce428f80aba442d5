/** Public API of the users context (users, API keys, passwords). */
export { API_KEY_PREFIX, ApiKeysService } from './api-keys.service';
export { BootstrapAdminService, type BootstrapResult } from './bootstrap-admin.service';
export { dummyPasswordHash, hashPassword, verifyPassword } from './password';
export { passwordWeakness } from './password-policy';
export {
  apiKeyPageSchema,
  apiKeySchema,
  createApiKeySchema,
  createUserSchema,
  createdApiKeySchema,
  listUsersSchema,
  roleSchema,
  updateUserSchema,
  userPageSchema,
  userSchema,
  type ApiKeyDto,
  type CreateApiKeyInput,
  type CreateUserInput,
  type CreatedApiKey,
  type ListUsersInput,
  type UpdateUserInput,
  type UserDto,
} from './user.schema';
export { UsersModule } from './users.module';
export { UsersService, normalizeEmail } from './users.service';
