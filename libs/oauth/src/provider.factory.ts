import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { mcpResource, oauthGrantIsCurrent } from '@app/auth';
import { OAUTH_SCOPES } from '@app/core';
import type { DatabaseService } from '@app/database';
import { prismaAdapter } from './prisma-adapter';

/** Where the OAuth server's endpoints live (the 2025-03-26 default paths for the common ones). */
export const OAUTH_ROUTES = {
  authorization: '/authorize',
  token: '/token',
  registration: '/register',
  revocation: '/revoke',
  jwks: '/oauth/jwks',
  end_session: '/oauth/logout',
  introspection: '/oauth/introspect',
  userinfo: '/oauth/userinfo',
  pushed_authorization_request: '/oauth/par',
  code_verification: '/oauth/device',
  device_authorization: '/oauth/device/auth',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
  credential: '/oauth/credential',
} as const;

export const INTERACTION_PATH = '/oauth/interaction';
export const DISCOVERY_PATHS = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
];

export const OAUTH_TTL = {
  accessToken: 3600,
  authorizationCode: 60,
  refreshToken: 30 * 24 * 3600,
  grant: 90 * 24 * 3600,
  interaction: 3600,
  session: 14 * 24 * 3600,
};

export interface ProviderOptions {
  issuer: string;
  db: DatabaseService;
  cookieKeys: string[];
  signingJwk: Record<string, string>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

let oidc: typeof import('oidc-provider') | null = null;

/**
 * oidc-provider (with Koa and jose: ~10 MiB, 0.4 s of start-up CPU) is loaded when the first
 * OAuth request needs a provider, not at start.
 */
function oidcProvider(): typeof import('oidc-provider') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (above)
  return (oidc ??= require('oidc-provider') as typeof import('oidc-provider'));
}

/**
 * The oidc-provider configuration: authorization code + PKCE (S256) only, public clients that
 * register themselves (RFC 7591), opaque access tokens bound to `<issuer>/mcp` (RFC 8707) and
 * carrying the product's scopes, rotating refresh tokens, storage in Postgres.
 */
export function createProvider(opts: ProviderOptions): Provider {
  const resource = mcpResource(opts.issuer);
  const { db } = opts;
  const configuration: Configuration = {
    adapter: prismaAdapter(db),
    jwks: { keys: [opts.signingJwk] },
    cookies: { keys: opts.cookieKeys },
    // Codes and refresh tokens of a grant given before the user's password or role changed (or
    // of a deactivated user) are refused with invalid_grant, as its access tokens are (libs/auth).
    async findAccount(_ctx, sub, token) {
      const user = await db.prisma.user.findUnique({ where: { id: sub } });
      if (!user || !user.active) return undefined;
      const grantId = (token as { grantId?: string } | undefined)?.grantId;
      if (token && !(await oauthGrantIsCurrent(db, grantId, user.credentialsVersion))) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, email: user.email, name: user.name }) };
    },
    // Such a grant is not reused either: the user is asked to consent again (signed in anew).
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (!grantId) return undefined;
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (!grant?.accountId) return grant;
      const user = await db.prisma.user.findUnique({ where: { id: grant.accountId } });
      if (!user || !user.active) return undefined;
      return (await oauthGrantIsCurrent(db, grantId, user.credentialsVersion)) ? grant : undefined;
    },
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    // Listed so that clients may register with them (RFC 7591 `scope`); they are granted on the
    // /mcp resource, never as OpenID scopes (see OAuthServerService.allow).
    scopes: ['openid', 'offline_access', ...OAUTH_SCOPES],
    responseTypes: ['code'],
    clientAuthMethods: ['none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) {
            throw new (oidcProvider().errors.InvalidTarget)(
              `this server issues tokens only for the resource ${resource}`,
            );
          }
          return {
            scope: OAUTH_SCOPES.join(' '),
            audience: resource,
            accessTokenFormat: 'opaque',
            accessTokenTTL: OAUTH_TTL.accessToken,
          };
        },
      },
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    routes: OAUTH_ROUTES,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    ttl: {
      AccessToken: OAUTH_TTL.accessToken,
      AuthorizationCode: OAUTH_TTL.authorizationCode,
      RefreshToken: OAUTH_TTL.refreshToken,
      Grant: OAUTH_TTL.grant,
      Interaction: OAUTH_TTL.interaction,
      Session: OAUTH_TTL.session,
      IdToken: 3600,
    },
    renderError(ctx: KoaContextWithOIDC, out: object) {
      ctx.type = 'html';
      const rows = Object.entries(out)
        .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
        .join('');
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1>${rows}</body></html>`;
    },
  };
  const provider = new (oidcProvider().default)(opts.issuer, configuration);
  provider.proxy = true;
  // RFC 8414 metadata is the same document as OpenID discovery; scopes_supported lists the
  // product's scopes an app may be granted (the resource's, as the contract lists them), not
  // only the OpenID ones.
  provider.use(async (ctx, next) => {
    const rfc8414 = ctx.path === DISCOVERY_PATHS[0];
    if (rfc8414) ctx.path = DISCOVERY_PATHS[1];
    await next();
    if ((rfc8414 || ctx.path === DISCOVERY_PATHS[1]) && ctx.status === 200 && ctx.body) {
      const body = ctx.body as Record<string, unknown>;
      body.scopes_supported = [...OAUTH_SCOPES];
      body.resource_indicators_supported = true;
    }
  });
  return provider;
}
