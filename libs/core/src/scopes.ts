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
