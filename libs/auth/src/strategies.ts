import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Strategy as PassportStrategyBase } from 'passport';
import { Strategy as HttpBearerStrategy } from 'passport-http-bearer';
import { ExtractJwt, Strategy as PassportJwtStrategy } from 'passport-jwt';
import { AppConfig } from '@app/config';
import { ROLE_SCOPES, UnauthorizedError, isScope, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';
import { ApiKeysService } from '@app/users';
import { resolveJwtSecret } from './jwt-secret';

export const JWT_AUDIENCE = 'context-desk';
export const JWT_ISSUER = 'context-desk';

export interface JwtClaims {
  sub: string;
  scope: string;
  email: string;
  aud: string;
  /** The user's credentialsVersion when the token was issued (absent on older tokens = 0). */
  cv?: number;
}

/** A principal without the door it arrived through (AuthService adds the channel). */
export type VerifiedPrincipal = Omit<Principal, 'channel'>;

/**
 * Bearer JWTs (from /api/v1/auth/login), verified by passport-jwt: HS256 only, our audience and
 * issuer, not expired. Then the account must still be active and the token's credentialsVersion
 * current (a password or role change revokes older tokens); scopes are those of the token that
 * the user's role still grants.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(PassportJwtStrategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly db: DatabaseService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject made once: given a string, jsonwebtoken tries createPublicKey (which throws)
      // and then createSecretKey on every request (~8 % of a REST search's CPU in a profile).
      // It accepts a KeyObject as is; passport-jwt's types only name string | Buffer.
      secretOrKey: createSecretKey(Buffer.from(resolveJwtSecret(config))) as unknown as Buffer,
      algorithms: ['HS256'],
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
    });
  }

  async validate(claims: JwtClaims): Promise<VerifiedPrincipal> {
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
    return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, scopes };
  }
}

/** API keys (`cdk_…`): known, not revoked, not expired; the key's own scopes. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HttpBearerStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(token: string): Promise<VerifiedPrincipal> {
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
    };
  }
}

export type StrategyOutcome<T> = { ok: true; user: T } | { ok: false; info: unknown };

/**
 * Runs a passport strategy on one bearer value outside an HTTP request (MCP, WebSocket and the
 * CLI authenticate a token, not a request), the way passport's middleware does: a per-call
 * object whose success/fail/error settle the promise. A thrown validate() arrives as error().
 */
export function runStrategy<T>(strategy: PassportStrategyBase, token: string): Promise<StrategyOutcome<T>> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as {
      authenticate(req: object, options: object): void;
      success(user: T): void;
      fail(info?: unknown): void;
      error(err: unknown): void;
      pass(): void;
      redirect(): void;
    };
    attempt.success = (user) => resolve({ ok: true, user });
    attempt.fail = (info) => resolve({ ok: false, info });
    attempt.error = reject;
    attempt.pass = () => resolve({ ok: false, info: undefined });
    attempt.redirect = () => reject(new Error('a bearer strategy does not redirect'));
    attempt.authenticate(
      { headers: { authorization: `Bearer ${token}` }, query: {}, body: {} },
      { session: false },
    );
  });
}
