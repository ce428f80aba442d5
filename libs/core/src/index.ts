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
  type PageRequest,
  toPage,
} from './pagination';
export {
  actorLabel,
  assertScopes,
  type Channel,
  hasScope,
  type Principal,
  systemPrincipal,
} from './principal';
export { isScope, ROLE_SCOPES, type RoleName, ROLES, type Scope, SCOPES } from './scopes';
export { isUuid } from './ids';
export {
  cursorSchema,
  EMAIL_MAX,
  emailSchema,
  fieldErrorsOf,
  isoDateTime,
  jsonDates,
  limitSchema,
  pageSchema,
  parseInput,
  tagsSchema,
  type UserRefDto,
  userRefSchema,
  uuidSchema,
} from './schema';
export {
  activeTraceIds,
  contextFromTraceparent,
  currentTraceparent,
  markTracingEnabled,
  SpanKind,
  tracer,
  tracingEnabled,
  withSpan,
} from './tracing';
export {
  addressRefusal,
  checkOutboundUrl,
  type OutboundPolicy,
  parseOutboundUrl,
  resolveOutboundHost,
  safeLookup,
  safePost,
  type SafePostOptions,
  UnsafeUrlError,
} from './net/safe-url';
export { isUnavailableError, retryAfterSeconds, UnavailableError } from './unavailable';
