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

/**
 * Key of the stored OAuth `Grant` payload that records the user's `credentialsVersion` when they
 * consented (written by libs/oauth's storage adapter). A password, role or active-flag change
 * bumps the user's version, so every grant given before it, and every code, access and refresh
 * token issued under such a grant, stops working, as JWTs issued before it do.
 */
export const GRANT_CREDENTIALS_VERSION = 'credentialsVersion';

/** The credentialsVersion a stored grant payload was given under (0 for grants stored before it was recorded). */
export function grantCredentialsVersion(payload: unknown): number {
  const v = (payload as Record<string, unknown> | null)?.[GRANT_CREDENTIALS_VERSION];
  return typeof v === 'number' ? v : 0;
}

/**
 * Whether OAuth grant `grantId` exists, is unexpired and was given under the user's current
 * credentials. Used for access tokens (below) and by the authorization server for codes,
 * refresh tokens and existing grants.
 */
export async function oauthGrantIsCurrent(
  db: DatabaseService,
  grantId: string | undefined,
  credentialsVersion: number,
): Promise<boolean> {
  if (!grantId) return false;
  const row = await db.prisma.oAuthRecord.findUnique({
    where: { model_id: { model: 'Grant', id: grantId } },
    select: { payload: true, expiresAt: true },
  });
  if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return false;
  return grantCredentialsVersion(row.payload) === credentialsVersion;
}

/** Opaque access tokens from the OAuth server: 43 base64url characters (no dots, no key prefix). */
export const looksLikeOAuthToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/**
 * Verifies access tokens issued by the OAuth authorization server (libs/oauth): the token must
 * exist (revoking an app deletes its tokens), be unexpired, be bound to this server's `/mcp`
 * resource, belong to an active user and to a grant given under the user's current credentials
 * (no password or role change since); its scopes are capped by the user's current role.
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
    if (!(await oauthGrantIsCurrent(this.db, payload.grantId, user.credentialsVersion)))
      throw new UnauthorizedError(
        "the access token predates a change of the account's password or role, or its app was disconnected; authorize the app again",
      );
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
