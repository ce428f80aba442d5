import type { AuthInfo } from '@modelcontextprotocol/server';
import { UnauthorizedError, type Principal } from '@app/core';

/** What the HTTP door hands the SDK for each request (`authInfo`), read back by every handler. */
export interface McpAuthInfo extends AuthInfo {
  extra: { principal: Principal };
}

export const toAuthInfo = (token: string, principal: Principal): McpAuthInfo => ({
  token,
  clientId: principal.apiKeyId ?? principal.userId ?? principal.name,
  scopes: [...principal.scopes],
  extra: { principal },
});

/** The subset of the SDK's per-request handler context the handlers read. */
export interface HandlerCtx {
  http?: { authInfo?: AuthInfo };
  sessionId?: string;
  mcpReq: {
    signal: AbortSignal;
    _meta?: { progressToken?: string | number; [k: string]: unknown };
    notify: (n: { method: string; params?: Record<string, unknown> }) => Promise<void>;
    log: (level: 'debug' | 'info' | 'warning' | 'error', data: unknown, logger?: string) => Promise<void>;
  };
}

/**
 * The caller of one MCP request: the principal the HTTP door authenticated for this request,
 * or the fixed principal of a stdio server.
 */
export function principalFrom(ctx: Pick<HandlerCtx, 'http'>, fallback: Principal | null): Principal {
  const p = (ctx.http?.authInfo?.extra as { principal?: Principal } | undefined)?.principal ?? fallback;
  if (!p) throw new UnauthorizedError('no credentials on this MCP request');
  return p;
}
