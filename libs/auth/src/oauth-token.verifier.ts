import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ROLE_SCOPES, UnauthorizedError, isScope, type Channel, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';

/** oidc-provider models whose ids are bearer credentials: stored as SHA-256 hashes. */
const HASHED_ID_MODELS = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'RegistrationAccessToken',
]);

/** The id under which an OAuth record is stored: SHA-256 for tokens and codes, the id otherwise. */
export function oauthStoredId(model: string, id: string): string {
  return HASHED_ID_MODELS.has(model) ? createHash('sha256').update(id).digest('base64url') : id;
}

/** The resource (RFC 8707 audience) that OAuth access tokens are issued for. */
export const mcpResource = (base: string): string => `${base.replace(/\/+$/, '')}/mcp`;

interface AccessTokenPayload {
  accountId?: string;
  clientId?: string;
  grantId?: string;
  aud?: string | string[];
  scope?: string;
  exp?: number;
}

/** Opaque access tokens from the OAuth server: 43 base64url characters (no dots, no key prefix). */
export const looksLikeOAuthToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/**
 * Verifies access tokens issued by the OAuth authorization server (libs/oauth): the token must
 * exist (revoking an app deletes its tokens), be unexpired, be bound to this server's `/mcp`
 * resource, and belong to an active user; its scopes are capped by the user's current role.
 */
@Injectable()
export class OAuthTokenVerifier {
  constructor(
    private readonly db: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  async verify(token: string, channel: Channel): Promise<Principal> {
    const row = await this.db.prisma.oAuthRecord.findUnique({
      where: { model_id: { model: 'AccessToken', id: oauthStoredId('AccessToken', token) } },
    });
    const payload = (row?.payload ?? {}) as AccessTokenPayload;
    const now = Date.now();
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= now) || (payload.exp ?? 0) * 1000 <= now) {
      throw new UnauthorizedError('the access token is unknown, revoked or expired; sign in again');
    }
    if (!this.audienceOk(payload.aud)) {
      throw new UnauthorizedError(
        `the access token was not issued for ${mcpResource(this.config.publicUrl)}`,
      );
    }
    const user = payload.accountId
      ? await this.db.prisma.user.findUnique({ where: { id: payload.accountId } })
      : null;
    if (!user || !user.active) throw new UnauthorizedError('the account is deactivated or no longer exists');
    const roleScopes = ROLE_SCOPES[user.role];
    const scopes = (payload.scope ?? '')
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
      oauthClientId: payload.clientId,
    };
  }

  private audienceOk(aud: string | string[] | undefined): boolean {
    const auds = Array.isArray(aud) ? aud : aud ? [aud] : [];
    // PORT=0 (tests): the public URL is known only per request, so accept any origin's /mcp.
    if (/:0$/.test(this.config.publicUrl)) {
      return auds.some((a) => {
        try {
          return new URL(a).pathname === '/mcp';
        } catch {
          return false;
        }
      });
    }
    return auds.includes(mcpResource(this.config.publicUrl));
  }
}
