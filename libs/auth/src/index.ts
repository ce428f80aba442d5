/** Public API of libs/auth: what other libs, the apps and the tests use. */
export { BearerAuthGuard } from './auth.guard';
export { AuthModule } from './auth.module';
export { AuthService } from './auth.service';
export { CurrentPrincipal, RequireScopes } from './decorators';
export { resolveJwtSecret } from './jwt-secret';
export { type PrincipalRevocation, PrincipalRevocations, revocationAffects } from './principal-revocations';
export { RateLimiter } from './rate-limiter';
export { Public } from './public.decorator';
export { mcpResource, oauthStoredId } from './oauth-token.verifier';
export { PrincipalCache } from './principal-cache';
export { JWT_AUDIENCE, JWT_ISSUER } from './strategies';
export { type RateLimitPolicy } from './rate-limiter';
export {
  grantCredentialsVersion,
  GRANT_CREDENTIALS_VERSION,
  oauthGrantIsCurrent,
} from './oauth-token.verifier';
export { REVOCATION_EVENTS } from './principal-revocations';
