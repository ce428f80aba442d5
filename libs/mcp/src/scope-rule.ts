import { hasScope, type Principal, type Scope } from '@app/core';
import type { McpCatalog } from './catalog';
import { parseResourceUri, resourceScope } from './resources';

/** Scopes of which a caller needs at least one to use /mcp at all. */
export const MCP_READ_SCOPES: Scope[] = ['kb:read', 'tickets:read', 'users:read'];
/**
 * Scopes named in the 401 challenge: everything the MCP tools use, writes included, so an OAuth
 * client asks for them; the consent page grants only those the user's role has.
 */
export const MCP_CHALLENGE_SCOPES: Scope[] = [...MCP_READ_SCOPES, 'kb:write', 'tickets:write'];

export interface MissingScope {
  scopes: Scope[];
  /** What was refused, for the message: "the tool x", "the prompt y", "the resource kb://…". */
  what: string;
  /** Set when a tools/call was refused (it is audited as denied). */
  tool?: string;
}

type Message = { method?: unknown; params?: Record<string, unknown> };

/**
 * The one scope rule of the MCP door, the same for tools, resources and prompts in both
 * protocol eras: a request for something the caller's scopes do not cover is refused before
 * it reaches a server, with HTTP 403 and an `insufficient_scope` challenge naming the scope
 * (so a client can step up). Lists only show what the scopes cover.
 */
export function missingScope(principal: Principal, body: unknown, catalog: McpCatalog): MissingScope | null {
  if (!MCP_READ_SCOPES.some((s) => hasScope(principal, s)))
    return { scopes: MCP_READ_SCOPES, what: 'this endpoint' };
  const messages = Array.isArray(body) ? body : body === undefined ? [] : [body];
  for (const m of messages as Message[]) {
    const need = needed(m, catalog);
    if (need) {
      const missing = need.scopes.filter((s) => !hasScope(principal, s));
      if (missing.length) return { ...need, scopes: missing };
    }
  }
  return null;
}

function needed(m: Message, catalog: McpCatalog): MissingScope | null {
  if (!m || typeof m !== 'object' || typeof m.method !== 'string') return null;
  const p = m.params ?? {};
  const uriScope = (uri: unknown): Scope | null => {
    const parsed = typeof uri === 'string' ? parseResourceUri(uri) : null;
    if (parsed) return resourceScope(parsed.kind);
    return typeof uri === 'string' ? (catalog.extraResourceFor(uri)?.def.scope ?? null) : null;
  };
  switch (m.method) {
    case 'tools/call': {
      const def = typeof p.name === 'string' ? catalog.tool(p.name) : undefined;
      return def?.scope ? { scopes: [def.scope], what: `the tool ${def.name}`, tool: def.name } : null;
    }
    case 'prompts/get': {
      const def = typeof p.name === 'string' ? catalog.prompt(p.name) : undefined;
      return def ? { scopes: def.scopes, what: `the prompt ${def.name}` } : null;
    }
    case 'resources/read':
    case 'resources/subscribe': {
      const s = uriScope(p.uri);
      return s ? { scopes: [s], what: `the resource ${String(p.uri)}` } : null;
    }
    case 'subscriptions/listen': {
      const uris = (p.notifications as { resourceSubscriptions?: unknown } | undefined)
        ?.resourceSubscriptions;
      if (!Array.isArray(uris)) return null;
      const scopes = [...new Set(uris.map(uriScope).filter((s): s is Scope => s !== null))];
      return scopes.length ? { scopes, what: 'a subscription to these resources' } : null;
    }
    default:
      return null;
  }
}
