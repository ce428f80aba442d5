import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { UnauthorizedError, type Principal } from '@app/core';

/** What the HTTP door attaches to each request (`req.auth`), read back by every handler. */
export interface McpAuthInfo extends AuthInfo {
  extra: { principal: Principal };
}

export const toAuthInfo = (token: string, principal: Principal): McpAuthInfo => ({
  token,
  clientId: principal.apiKeyId ?? principal.userId ?? principal.name,
  scopes: [...principal.scopes],
  extra: { principal },
});

/** The subset of the SDK's RequestHandlerExtra the handlers use. */
export interface HandlerExtra {
  authInfo?: AuthInfo;
  sessionId?: string;
  signal: AbortSignal;
  requestId: string | number;
  _meta?: { progressToken?: string | number; [k: string]: unknown };
  sendNotification: (n: { method: string; params?: Record<string, unknown> }) => Promise<void>;
}

/**
 * The caller of one MCP request: the principal the HTTP door authenticated for this request,
 * or the fixed principal of a stdio server.
 */
export function principalFrom(extra: Pick<HandlerExtra, 'authInfo'>, fallback: Principal | null): Principal {
  const p = (extra.authInfo?.extra as { principal?: Principal } | undefined)?.principal ?? fallback;
  if (!p) throw new UnauthorizedError('no credentials on this MCP request');
  return p;
}
