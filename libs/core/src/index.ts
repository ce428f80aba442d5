/** Public API of libs/core: what other libs, the apps and the tests use. */
export {
  ConflictError,
  DomainError,
  type FieldError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  VersionConflictError,
} from './errors';
export {
  clampLimit,
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  MAX_LIMIT,
  type Page,
  toPage,
} from './pagination';
export {
  actorLabel,
  assertNotOAuthApp,
  assertScopes,
  type Channel,
  hasScope,
  type Principal,
  systemPrincipal,
} from './principal';
export {
  isOAuthScope,
  isScope,
  OAUTH_SCOPES,
  ROLE_SCOPES,
  type RoleName,
  ROLES,
  type Scope,
  SCOPES,
} from './scopes';
export { isUuid } from './ids';
export {
  cursorSchema,
  emailSchema,
  isoDateTime,
  jsonDates,
  limitSchema,
  pageSchema,
  parseInput,
  tagsSchema,
  userRefSchema,
  uuidSchema,
} from './schema';
export {
  activeTraceIds,
  activeTraceparent,
  contextFromTraceparent,
  currentTraceparent,
  markTracingEnabled,
  SpanKind,
  tracingEnabled,
  withSpan,
} from './tracing';
export { checkOutboundUrl, type OutboundPolicy, safePost } from './net/safe-url';
export { isUnavailableError, retryAfterSeconds, UnavailableError } from './unavailable';
