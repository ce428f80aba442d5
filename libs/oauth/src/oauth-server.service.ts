import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Provider from 'oidc-provider';
import { mcpResource, RateLimiter, resolveJwtSecret, type RateLimitPolicy } from '@app/auth';
import { AppConfig } from '@app/config';
import {
  ForbiddenError,
  InvalidError,
  ROLE_SCOPES,
  UnauthorizedError,
  isOAuthScope,
  type Principal,
  type Scope,
} from '@app/core';
import { DatabaseService } from '@app/database';
import { writeAudit } from '@app/observability';
import { deriveOAuthKeys } from './keys';
import { DISCOVERY_PATHS, OAUTH_ROUTES, createProvider } from './provider.factory';

export interface ConsentRequest {
  uid: string;
  client: { id: string; name: string; uri: string | null; redirectUri: string | null };
  /** Requested scopes this user may grant (one checkbox each). */
  scopes: Scope[];
  /** Requested scopes beyond the user's role: shown, never grantable. */
  unavailableScopes: string[];
  user: { email: string; name: string; role: string };
}

type Req = IncomingMessage & { originalUrl?: string; ip?: string };

const PROVIDER_PATHS = new Set<string>([...Object.values(OAUTH_ROUTES), ...DISCOVERY_PATHS]);
const SWEEP_EVERY_MS = 15 * 60_000;

/**
 * The OAuth 2.1 authorization server (oidc-provider) for MCP clients, in this process. One
 * provider per public base URL (one in production; tests listen on a random port).
 */
@Injectable()
export class OAuthServerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OAuth');
  private readonly providers = new Map<string, Provider>();
  private readonly keys: ReturnType<typeof deriveOAuthKeys>;
  private sweeper: NodeJS.Timeout | null = null;
  /** Dynamic client registrations per client IP (as TRUST_PROXY derives it). */
  private readonly registrations: RateLimitPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly db: DatabaseService,
    private readonly rateLimiter: RateLimiter,
  ) {
    this.keys = deriveOAuthKeys(resolveJwtSecret(config));
    this.registrations = {
      name: 'oauth-register',
      limit: config.oauthRegistrationsPerHour,
      windowSec: 3600,
    };
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Deletes expired codes, tokens, sessions and interactions. */
  async sweep(now = new Date()): Promise<number> {
    try {
      const { count } = await this.db.prisma.oAuthRecord.deleteMany({ where: { expiresAt: { lt: now } } });
      return count;
    } catch (e) {
      this.logger.warn(`OAuth sweep failed: ${(e as Error).message}`);
      return 0;
    }
  }

  /** True for the paths the authorization server answers itself (metadata, authorize, token, ...). */
  handles(path: string): boolean {
    return PROVIDER_PATHS.has(path) || path.startsWith(`${OAUTH_ROUTES.authorization}/`);
  }

  /** Connect-style middleware: hands the provider's own paths to it, everything else to next(). */
  middleware() {
    return (req: Req, res: ServerResponse, next: () => void): void => {
      const path = (req.url ?? '/').split('?')[0];
      if (!this.handles(path)) return next();
      void this.serve(req, res, path).catch((e: Error) => {
        this.logger.error(`OAuth request failed: ${e.stack ?? e}`);
        if (!res.headersSent) res.writeHead(503, { 'Retry-After': '5' });
        res.end();
      });
    };
  }

  private async serve(req: Req, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'POST' && path === OAUTH_ROUTES.registration) {
      const ip = req.ip ?? req.socket?.remoteAddress ?? '';
      const d = await this.rateLimiter.consume(this.registrations, ip);
      if (!d.allowed) {
        res.writeHead(429, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          'Retry-After': String(d.retryAfterSec),
        });
        res.end(
          JSON.stringify({
            error: 'temporarily_unavailable',
            error_description: `too many client registrations from this address (at most ${d.limit} per hour); retry in ${d.retryAfterSec} s`,
          }),
        );
        return;
      }
    }
    const provider = this.providerFor(this.prepare(req));
    await provider.callback()(req, res);
  }

  /** The base URL of this server as seen by the caller (PUBLIC_URL unless it has port 0). */
  baseFor(req: IncomingMessage): string {
    if (!/:0$/.test(this.config.publicUrl)) return this.config.publicUrl;
    return `http://${req.headers.host ?? '127.0.0.1'}`;
  }

  providerFor(base: string): Provider {
    let provider = this.providers.get(base);
    if (!provider) {
      if (this.providers.size >= 8) this.providers.clear();
      provider = createProvider({ issuer: base, db: this.db, ...this.keys });
      provider.on('server_error', (_ctx, err: Error) =>
        this.logger.error(`OAuth error: ${err.stack ?? err}`),
      );
      this.providers.set(base, provider);
    }
    return provider;
  }

  /** The consent page's data for interaction `uid`, for the signed-in admin user. */
  async consentRequest(
    req: Req,
    res: ServerResponse,
    uid: string,
    principal: Principal,
  ): Promise<ConsentRequest> {
    const user = this.signedInUser(principal);
    const provider = this.providerFor(this.prepare(req));
    const interaction = await this.interaction(provider, req, res, uid);
    const clientId = String(interaction.params.client_id ?? '');
    const client = await provider.Client.find(clientId);
    if (!client) throw new InvalidError('the application that asked for access is no longer registered');
    const requested = this.requestedScopes(interaction.params.scope);
    const allowed = ROLE_SCOPES[user.role];
    return {
      uid,
      client: {
        id: clientId,
        name: client.clientName ?? clientId,
        uri: client.clientUri ?? null,
        redirectUri:
          typeof interaction.params.redirect_uri === 'string' ? interaction.params.redirect_uri : null,
      },
      scopes: requested.filter((s) => allowed.includes(s)),
      unavailableScopes: requested.filter((s) => !allowed.includes(s)),
      user: { email: user.email, name: user.name, role: user.role },
    };
  }

  /** Allow: grants the chosen scopes (within the request and the role); returns where the browser goes next. */
  async allow(
    req: Req,
    res: ServerResponse,
    uid: string,
    principal: Principal,
    chosen: string[],
  ): Promise<{ redirectTo: string }> {
    const user = this.signedInUser(principal);
    const base = this.prepare(req);
    const provider = this.providerFor(base);
    const interaction = await this.interaction(provider, req, res, uid);
    const clientId = String(interaction.params.client_id ?? '');
    const requested = this.requestedScopes(interaction.params.scope);
    const allowed = ROLE_SCOPES[user.role];
    const granted = requested.filter((s) => chosen.includes(s) && allowed.includes(s));
    const beyond = chosen.filter((s) => !granted.includes(s as Scope));
    if (beyond.length) {
      throw new ForbiddenError(
        `cannot grant ${beyond.join(', ')}: not requested by the application or not allowed for the role ${user.role}`,
      );
    }
    if (!granted.length) throw new InvalidError('choose at least one scope, or deny access');
    const resource = mcpResource(base);
    const grant = new provider.Grant({ accountId: user.userId, clientId });
    grant.addResourceScope(resource, granted.join(' '));
    const rejected = requested.filter((s) => !granted.includes(s));
    if (rejected.length) grant.rejectResourceScope(resource, rejected.join(' '));
    const oidcScopes = String(interaction.params.scope ?? '')
      .split(' ')
      .filter((s) => s === 'openid' || s === 'offline_access');
    if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
    // The product's scopes are also registered OpenID scope values (so clients may register with
    // them); they belong to the resource only.
    if (requested.length) grant.rejectOIDCScope(requested.join(' '));
    const grantId = await grant.save();
    const redirectTo = await provider.interactionResult(
      req,
      res,
      { login: { accountId: user.userId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    await writeAudit(this.db.prisma, {
      actor: principal,
      action: 'oauth.consent',
      targetType: 'oauth_client',
      targetId: clientId,
      outcome: 'success',
      detail: `granted ${granted.join(' ')}${rejected.length ? `; declined ${rejected.join(' ')}` : ''}`,
    });
    return { redirectTo };
  }

  /** Deny: the client gets `access_denied`. */
  async deny(
    req: Req,
    res: ServerResponse,
    uid: string,
    principal: Principal,
  ): Promise<{ redirectTo: string }> {
    this.signedInUser(principal);
    const provider = this.providerFor(this.prepare(req));
    const interaction = await this.interaction(provider, req, res, uid);
    const redirectTo = await provider.interactionResult(
      req,
      res,
      { error: 'access_denied', error_description: 'The user denied access to the application' },
      { mergeWithLastSubmission: false },
    );
    await writeAudit(this.db.prisma, {
      actor: principal,
      action: 'oauth.consent',
      targetType: 'oauth_client',
      targetId: String(interaction.params.client_id ?? ''),
      outcome: 'denied',
    });
    return { redirectTo };
  }

  private async interaction(provider: Provider, req: Req, res: ServerResponse, uid: string) {
    let interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      throw new InvalidError(
        'this sign-in request has expired or was opened in another browser; start again from the application',
      );
    }
    if (interaction.uid !== uid) {
      throw new InvalidError(
        'this sign-in request does not match the one in progress; start again from the application',
      );
    }
    return interaction;
  }

  /** Consent needs a person signed in to the admin (a login JWT), not an API key or another app's token. */
  private signedInUser(
    p: Principal,
  ): Principal & { userId: string; role: keyof typeof ROLE_SCOPES; email: string } {
    if (p.kind !== 'user' || !p.userId || !p.role || p.oauthClientId) {
      throw new UnauthorizedError('sign in to the admin to approve applications');
    }
    return p as Principal & { userId: string; role: keyof typeof ROLE_SCOPES; email: string };
  }

  private requestedScopes(scope: unknown): Scope[] {
    const names = typeof scope === 'string' ? scope.split(' ') : [];
    return [...new Set(names.filter(isOAuthScope))];
  }

  /**
   * Makes the provider see this server's public origin (scheme, host) whatever proxy is in front,
   * and returns that base URL.
   */
  private prepare(req: IncomingMessage): string {
    const base = this.baseFor(req);
    const url = new URL(base);
    req.headers['x-forwarded-proto'] = url.protocol.replace(':', '');
    req.headers['x-forwarded-host'] = url.host;
    return base;
  }
}
