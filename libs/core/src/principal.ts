import { ForbiddenError } from './errors';
import type { RoleName, Scope } from './scopes';

/** Which door a call came through; recorded in the audit log. */
export type Channel = 'rest' | 'mcp' | 'ws' | 'cli' | 'job' | 'system';

/**
 * Who is calling, resolved once per request from a JWT or an API key. The same object
 * reaches domain services from every door.
 */
export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  /** The user behind the call (an API key's owner). Null only for the system. */
  userId: string | null;
  apiKeyId?: string;
  /** Set when the caller holds an OAuth access token: the client (app) acting for the user. */
  oauthClientId?: string;
  email?: string;
  name: string;
  role?: RoleName;
  scopes: readonly Scope[];
  channel: Channel;
}

export const systemPrincipal = (channel: Channel = 'system', name = 'system'): Principal => ({
  kind: 'system',
  userId: null,
  name,
  scopes: ['admin'],
  channel,
});

/** `admin` implies every other scope. */
export const hasScope = (p: Pick<Principal, 'scopes'>, scope: Scope): boolean =>
  p.scopes.includes('admin') || p.scopes.includes(scope);

/** The single scope check used by REST, MCP and WebSocket. */
export function assertScopes(p: Pick<Principal, 'scopes'>, required: readonly Scope[]): void {
  const missing = required.filter((s) => !hasScope(p, s));
  if (missing.length)
    throw new ForbiddenError(`this requires the scope ${missing.join(', ')}`, { requiredScopes: missing });
}

/**
 * Refuses to mint a credential (an API key, a password) for a caller holding an OAuth access
 * token: a user revokes a connected app to cut it off, and a credential the app made would
 * outlive that. A person signed in to the admin, or an API key, does it instead.
 */
export function assertNotOAuthApp(p: Pick<Principal, 'oauthClientId'>, what: string): void {
  if (p.oauthClientId)
    throw new ForbiddenError(
      `an OAuth app's token cannot ${what}: a credential it made would outlive revoking the app; sign in to the admin or use an API key`,
    );
}

export const actorLabel = (p: Principal): string =>
  p.kind === 'api_key' ? `api-key:${p.name}` : p.kind === 'system' ? p.name : (p.email ?? p.name);
