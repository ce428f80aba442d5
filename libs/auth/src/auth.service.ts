import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@app/config';
import {
  ROLE_SCOPES,
  RateLimitedError,
  UnauthorizedError,
  isScope,
  type Channel,
  type Principal,
} from '@app/core';
import { DatabaseService } from '@app/database';
import { MetricsService, writeAudit } from '@app/observability';
import {
  API_KEY_PREFIX,
  ApiKeysService,
  dummyPasswordHash,
  normalizeEmail,
  verifyPassword,
} from '@app/users';
import { OAuthTokenVerifier, looksLikeOAuthToken } from './oauth-token.verifier';
import { RateLimiter, type RateLimitPolicy } from './rate-limiter';

export const JWT_AUDIENCE = 'context-desk';
export const JWT_ISSUER = 'context-desk';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

interface JwtClaims {
  sub: string;
  scope: string;
  email: string;
  aud: string;
  /** The user's credentialsVersion when the token was issued (absent on older tokens = 0). */
  cv?: number;
}

/**
 * Who is calling: the one place that turns a bearer value (JWT, API key or OAuth access token) into a
 * {@link Principal}. REST (through passport), MCP and WebSocket all call {@link authenticate}.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly db: DatabaseService,
    private readonly apiKeys: ApiKeysService,
    private readonly config: AppConfig,
    private readonly oauthTokens: OAuthTokenVerifier,
    private readonly rateLimiter: RateLimiter,
    metrics: MetricsService,
  ) {
    this.passwordChecks = metrics.counter(
      'context_desk_login_password_checks_total',
      'argon2 verifications made by sign-in attempts (one per attempt, known account or not)',
    );
  }

  private readonly passwordChecks;

  /**
   * Signs in with email and password. Every attempt costs one argon2 verification (against a
   * dummy hash when the account is unknown, has no password or is deactivated), so the answer
   * time does not tell which emails exist. After LOGIN_MAX_FAILURES failures within
   * LOGIN_LOCKOUT_MINUTES the account answers 429 (right password or not) until the window
   * ends; the count is shared by all instances through Redis. `client.ip` (the address
   * Express derives under TRUST_PROXY) gets LOGIN_RATE_LIMIT_PER_MINUTE attempts.
   */
  async login(email: string, password: string, client: { ip?: string } = {}): Promise<LoginResult> {
    if (client.ip) {
      const perIp = await this.rateLimiter.consume(
        { name: 'login-ip', limit: this.config.loginRateLimitPerMinute, windowSec: 60 },
        client.ip,
      );
      if (!perIp.allowed)
        throw new RateLimitedError(
          `too many sign-in attempts from this address; try again in ${perIp.retryAfterSec} s`,
          perIp.retryAfterSec,
        );
    }
    const normalized = normalizeEmail(email ?? '').slice(0, 254);
    const gate = await this.rateLimiter.peek(this.accountPolicy(), normalized);
    if (!gate.allowed) {
      await this.auditFailedLogin(normalized, null, 'account locked (too many failed sign-ins)');
      throw new RateLimitedError(
        `too many failed sign-ins for this account; try again in ${gate.retryAfterSec} s`,
        gate.retryAfterSec,
      );
    }
    const user = await this.db.prisma.user.findUnique({ where: { email: normalized } });
    const hash = user?.passwordHash ?? (await dummyPasswordHash());
    this.passwordChecks.inc();
    const verified = await verifyPassword(hash, password ?? '');
    const ok = verified && !!user?.passwordHash && user.active;
    if (!user || !ok) {
      await this.rateLimiter.consume(this.accountPolicy(), normalized);
      await this.auditFailedLogin(normalized, user?.id ?? null);
      throw new UnauthorizedError('email or password is incorrect');
    }
    await this.rateLimiter.reset(this.accountPolicy(), normalized);
    await this.db.prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    const scopes = ROLE_SCOPES[user.role];
    const accessToken = await this.jwt.signAsync(
      { scope: scopes.join(' '), email: user.email, cv: user.credentialsVersion },
      { subject: user.id, audience: JWT_AUDIENCE, issuer: JWT_ISSUER, expiresIn: this.config.jwtTtlSeconds },
    );
    await writeAudit(this.db.prisma, {
      actor: { kind: 'user', userId: user.id, email: user.email, name: user.name, scopes, channel: 'rest' },
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwtTtlSeconds };
  }

  /** Resolves a bearer value, or throws UnauthorizedError. Deactivation and demotion apply at once. */
  async authenticate(token: string, channel: Channel): Promise<Principal> {
    if (!token) throw new UnauthorizedError('a bearer token is required');
    if (token.startsWith(API_KEY_PREFIX)) {
      const key = await this.apiKeys.resolve(token);
      if (!key) throw new UnauthorizedError('the API key is unknown, revoked or expired');
      return {
        kind: 'api_key',
        userId: key.owner.id,
        apiKeyId: key.keyId,
        email: key.owner.email,
        name: key.name,
        role: key.owner.role,
        scopes: key.scopes,
        channel,
      };
    }
    if (looksLikeOAuthToken(token)) return this.oauthTokens.verify(token, channel);
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(token, {
        audience: JWT_AUDIENCE,
        issuer: JWT_ISSUER,
        algorithms: ['HS256'],
      });
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new UnauthorizedError(
        expired ? 'the access token has expired; sign in again' : 'the access token is not valid',
      );
    }
    const user = await this.db.prisma.user.findUnique({ where: { id: claims.sub } });
    if (!user || !user.active) throw new UnauthorizedError('the account is deactivated or no longer exists');
    if ((claims.cv ?? 0) !== user.credentialsVersion)
      throw new UnauthorizedError(
        "the access token predates a change of the account's password or role; sign in again",
      );
    const roleScopes = ROLE_SCOPES[user.role];
    const scopes = (claims.scope ?? '')
      .split(' ')
      .filter(isScope)
      .filter((s) => roleScopes.includes(s));
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      scopes,
      channel,
    };
  }

  private accountPolicy(): RateLimitPolicy {
    return {
      name: 'login-account',
      limit: this.config.loginMaxFailures,
      windowSec: this.config.loginLockoutMinutes * 60,
    };
  }

  private auditFailedLogin(email: string, userId: string | null, why?: string): Promise<void> {
    return writeAudit(this.db.prisma, {
      actor: null,
      channel: 'rest',
      action: 'auth.login',
      targetType: 'user',
      targetId: userId,
      outcome: 'denied',
      detail: `failed login for ${email}${why ? `: ${why}` : ''}`,
    });
  }
}
