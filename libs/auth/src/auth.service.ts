import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@app/config';
import { ROLE_SCOPES, RateLimitedError, UnauthorizedError, type Channel, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';
import { MetricsService, writeAudit } from '@app/observability';
import { API_KEY_PREFIX, dummyPasswordHash, normalizeEmail, verifyPassword } from '@app/users';
import { OAuthTokenVerifier, looksLikeOAuthToken } from './oauth-token.verifier';
import { RateLimiter, type RateLimitPolicy } from './rate-limiter';
import {
  ApiKeyStrategy,
  JWT_AUDIENCE,
  JWT_ISSUER,
  JwtStrategy,
  runStrategy,
  type VerifiedPrincipal,
} from './strategies';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * Who is calling: the one place that turns a bearer value (JWT, API key or OAuth access token) into a
 * {@link Principal}. REST (through the passport `bearer` strategy), MCP, WebSocket and the CLI all
 * call {@link authenticate}.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly db: DatabaseService,
    private readonly jwtStrategy: JwtStrategy,
    private readonly apiKeyStrategy: ApiKeyStrategy,
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

  /**
   * Resolves a bearer value, or throws UnauthorizedError. API keys go through {@link ApiKeyStrategy},
   * JWTs through {@link JwtStrategy} (passport-jwt), OAuth access tokens through the authorization
   * server's verifier. Deactivation and demotion apply at once.
   */
  async authenticate(token: string, channel: Channel): Promise<Principal> {
    if (!token) throw new UnauthorizedError('a bearer token is required');
    if (looksLikeOAuthToken(token)) return this.oauthTokens.verify(token, channel);
    const apiKey = token.startsWith(API_KEY_PREFIX);
    const outcome = await runStrategy<VerifiedPrincipal>(
      apiKey ? this.apiKeyStrategy : this.jwtStrategy,
      token,
    );
    if (outcome.ok) return { ...outcome.user, channel };
    if (apiKey) throw new UnauthorizedError('the API key is unknown, revoked or expired');
    const expired = outcome.info instanceof Error && outcome.info.name === 'TokenExpiredError';
    throw new UnauthorizedError(
      expired ? 'the access token has expired; sign in again' : 'the access token is not valid',
    );
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
