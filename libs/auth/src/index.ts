export { BearerAuthGuard } from './auth.guard';
export { AuthModule } from './auth.module';
export { AuthService, JWT_AUDIENCE, JWT_ISSUER, type LoginResult } from './auth.service';
export { CurrentPrincipal, REQUIRED_SCOPES, RequireScopes } from './decorators';
export { resolveJwtSecret } from './jwt-secret';
export {
  type PrincipalRevocation,
  PrincipalRevocations,
  REVOCATION_EVENTS,
  revocationAffects,
  revocationOf,
} from './principal-revocations';
export { type RateLimitDecision, RateLimiter, type RateLimitPolicy } from './rate-limiter';
export { IS_PUBLIC, Public } from './public.decorator';
export { looksLikeOAuthToken, mcpResource, oauthStoredId, OAuthTokenVerifier } from './oauth-token.verifier';
export { PRINCIPAL_CACHE_TTL_MS, PrincipalCache } from './principal-cache';
