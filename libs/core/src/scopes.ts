export const SCOPES = [
  'kb:read',
  'kb:write',
  'tickets:read',
  'tickets:write',
  'users:read',
  'users:write',
  /** Create and revoke API keys (never beyond the creator's own scopes and lifetime). */
  'keys:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = ['admin', 'agent', 'viewer'] as const;
export type RoleName = (typeof ROLES)[number];

const READ: Scope[] = ['kb:read', 'tickets:read', 'users:read'];

/**
 * Roles grant scopes: viewer = all reads; agent = viewer + kb:write + tickets:write; admin = all
 * (including keys:write, which no other role has).
 */
export const ROLE_SCOPES: Record<RoleName, readonly Scope[]> = {
  viewer: READ,
  agent: [...READ, 'kb:write', 'tickets:write'],
  admin: [...SCOPES],
};

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/**
 * What an OAuth app may ask for and be granted (the metadata's `scopes_supported`): the contract's
 * scopes. `keys:write` is not among them: an app's token never mints credentials (see
 * {@link assertNotOAuthApp}), since they would outlive revoking the app.
 */
export const OAUTH_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== 'keys:write');
export const isOAuthScope = (s: string): s is Scope => (OAUTH_SCOPES as readonly string[]).includes(s);
