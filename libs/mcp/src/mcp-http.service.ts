import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { AuthService } from '@app/auth';
import { AppConfig } from '@app/config';
import { SCOPES, UnauthorizedError, hasScope, type Principal, type Scope } from '@app/core';
import { DatabaseService } from '@app/database';
import { hashArgs, writeAudit } from '@app/observability';
import { toAuthInfo } from './context';
import { DbEventStore } from './event-store';
import { McpServerFactory, McpServerState } from './mcp-server.factory';
import {
  createSessionTransport,
  markInitialized,
  requestIdsOf,
  transportMapSizes,
  wantsStream,
} from './sdk-transport';
import { StatelessMux } from './stateless-mux';
import { McpSubscriptions } from './subscriptions';
import { TOOLS_BY_NAME } from './tools';

/** Largest JSON-RPC body accepted on /mcp. */
export const MCP_MAX_BODY_BYTES = 1024 * 1024;
/** Scopes of which a caller needs at least one to use /mcp at all. */
const MCP_READ_SCOPES: Scope[] = ['kb:read', 'tickets:read', 'users:read'];
const TOUCH_EVERY_MS = 60_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

type Req = IncomingMessage & { auth?: AuthInfo; protocol?: string };

interface Session {
  id: string;
  server: McpServer;
  transport: ReturnType<typeof createSessionTransport>;
  state: McpServerState;
  principal: Principal;
  lastSeen: number;
  touchedAt: number;
  release: () => void;
}

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
};

const samePrincipal = (a: Principal, b: { userId?: unknown; apiKeyId?: unknown }) =>
  a.userId === b.userId && (a.apiKeyId ?? null) === (b.apiKeyId ?? null);

/**
 * The Streamable HTTP door at /mcp: Origin/Host checks, bearer auth with RFC 9728 challenges,
 * then either sessions (one MCP server per session, resumable streams stored in the database,
 * idle expiry) or stateless mode (one shared server, a fresh transport per request).
 */
@Injectable()
export class McpHttpService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpHttp');
  private readonly sessions = new Map<string, Session>();
  private shared: { server: McpServer; mux: StatelessMux } | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly allowedOrigins: Set<string>;
  private readonly allowedHostnames: Set<string>;
  private readonly checkHost: boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly factory: McpServerFactory,
    private readonly subscriptions: McpSubscriptions,
    private readonly db: DatabaseService,
  ) {
    this.allowedOrigins = new Set(config.mcpAllowedOrigins.map((o) => o.toLowerCase()));
    const hostnameOf = (u: string) => {
      try {
        return new URL(u).hostname.toLowerCase();
      } catch {
        return null;
      }
    };
    this.allowedHostnames = new Set(
      [...LOOPBACK, hostnameOf(config.publicUrl), ...config.mcpAllowedOrigins.map(hostnameOf)].filter(
        (h): h is string => !!h,
      ),
    );
    // DNS rebinding targets servers bound to loopback; on other interfaces proxies set the Host.
    this.checkHost = LOOPBACK.has(config.host);
  }

  get mode(): 'stateful' | 'stateless' {
    return this.config.mcpMode;
  }

  async onModuleInit(): Promise<void> {
    if (this.mode === 'stateless') {
      const server = this.factory.build(new McpServerState(false));
      const mux = new StatelessMux();
      await server.connect(mux);
      this.shared = { server, mux };
    } else {
      const every = Math.min(60_000, (this.config.mcpSessionIdleMinutes * 60_000) / 4);
      this.sweeper = setInterval(() => void this.expireIdle(), every);
      this.sweeper.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    // Sessions stay in the database: clients resume them on the next start or another instance.
    await Promise.all([...this.sessions.values()].map((s) => this.closeSession(s, false)));
    await this.shared?.server.close();
  }

  /** RFC 9728 metadata for /mcp. */
  protectedResourceMetadata(req: Req): Record<string, unknown> {
    const base = this.baseUrl(req);
    return {
      resource: `${base}/mcp`,
      authorization_servers: [base],
      scopes_supported: [...SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'Context Desk',
      resource_documentation: `${base}/api/docs`,
    };
  }

  /** Counts for tests and benches: live sessions and the sum of their transports' internal maps. */
  stats(): { sessions: number; streams: number; requests: number; statelessPending: number } {
    let streams = 0;
    let requests = 0;
    for (const s of this.sessions.values()) {
      const sizes = transportMapSizes(s.transport);
      streams += sizes.streams;
      requests += sizes.requests;
    }
    return {
      sessions: this.sessions.size,
      streams,
      requests,
      statelessPending: this.shared?.mux.pending ?? 0,
    };
  }

  async handle(req: Req, res: ServerResponse, parsedBody: unknown): Promise<void> {
    try {
      await this.dispatch(req, res, parsedBody);
    } catch (e) {
      this.logger.error(`MCP request failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    }
  }

  private async dispatch(req: Req, res: ServerResponse, parsedBody: unknown): Promise<void> {
    const origin = req.headers.origin;
    if (origin && !this.originAllowed(origin, req.socket?.localPort)) {
      return rpcError(res, 403, -32000, `Forbidden: Origin ${origin} is not allowed`);
    }
    if (this.checkHost && !this.hostAllowed(req.headers.host)) {
      return rpcError(res, 403, -32000, `Forbidden: Host ${req.headers.host ?? '(none)'} is not allowed`);
    }
    const method = req.method ?? 'GET';
    const allowed = this.mode === 'stateless' ? ['POST'] : ['POST', 'GET', 'DELETE'];
    if (!allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '));
      return rpcError(
        res,
        405,
        -32000,
        `Method not allowed${this.mode === 'stateless' ? ' (stateless mode)' : ''}`,
      );
    }
    if (Number(req.headers['content-length'] ?? 0) > MCP_MAX_BODY_BYTES) {
      return rpcError(res, 413, -32000, `Request body exceeds ${MCP_MAX_BODY_BYTES} bytes`);
    }

    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    let principal: Principal;
    try {
      if (!token)
        throw new UnauthorizedError(
          'a bearer token is required (a JWT from /api/v1/auth/login or an API key)',
        );
      principal = await this.auth.authenticate(token, 'mcp');
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
      const challenge = [
        `resource_metadata="${this.baseUrl(req)}/.well-known/oauth-protected-resource"`,
        `scope="${MCP_READ_SCOPES.join(' ')}"`,
        ...(token ? [`error="invalid_token"`, `error_description="${e.message.replace(/"/g, "'")}"`] : []),
      ];
      return rpcError(res, 401, -32001, `Unauthorized: ${e.message}`, {
        'WWW-Authenticate': `Bearer ${challenge.join(', ')}`,
      });
    }
    const body = method === 'POST' ? parsedBody : undefined;
    const needed = this.missingScope(principal, body);
    if (needed) {
      if (needed.tool) {
        await writeAudit(this.db.prisma, {
          actor: principal,
          channel: 'mcp',
          action: 'mcp.tool_call',
          targetType: 'tool',
          targetId: needed.tool,
          outcome: 'denied',
          argsHash: hashArgs((body as { params?: { arguments?: unknown } }).params?.arguments ?? {}),
          durationMs: 0,
        });
      }
      return rpcError(
        res,
        403,
        -32000,
        `Forbidden: ${needed.tool ? `the tool ${needed.tool}` : 'this endpoint'} requires the scope ${needed.scopes.join(' or ')}`,
        {
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed.scopes.join(' ')}", resource_metadata="${this.baseUrl(req)}/.well-known/oauth-protected-resource"`,
        },
      );
    }
    req.auth = toAuthInfo(token, principal);
    if (this.mode === 'stateless') return this.handleStateless(req, res, body);
    return this.handleStateful(req, res, body, principal);
  }

  private missingScope(principal: Principal, body: unknown): { scopes: Scope[]; tool?: string } | null {
    if (!MCP_READ_SCOPES.some((s) => hasScope(principal, s))) return { scopes: MCP_READ_SCOPES };
    const call = body as { method?: unknown; params?: { name?: unknown } } | undefined;
    if (
      call &&
      !Array.isArray(call) &&
      call.method === 'tools/call' &&
      typeof call.params?.name === 'string'
    ) {
      const def = TOOLS_BY_NAME.get(call.params.name);
      if (def && !hasScope(principal, def.scope)) return { scopes: [def.scope], tool: def.name };
    }
    return null;
  }

  private async handleStateless(req: Req, res: ServerResponse, body: unknown): Promise<void> {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !wantsStream(body),
    });
    const cancel = this.shared!.mux.attach(transport);
    res.on('close', () => {
      cancel();
      void transport.close();
    });
    await transport.handleRequest(req, res, body);
  }

  private async handleStateful(req: Req, res: ServerResponse, body: unknown, principal: Principal) {
    const sid = req.headers['mcp-session-id'];
    let session: Session | null = null;
    if (typeof sid === 'string' && sid) {
      session = this.sessions.get(sid) ?? (await this.reopen(sid, principal));
      if (!session || !samePrincipal(principal, session.principal)) {
        return rpcError(res, 404, -32001, 'Session not found');
      }
    } else if (req.method === 'POST' && !Array.isArray(body) && isInitializeRequest(body)) {
      session = await this.open(
        randomUUID(),
        principal,
        false,
        (body as { params: { protocolVersion?: string } }).params.protocolVersion,
      );
    } else {
      return rpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (initialize first)');
    }
    session.lastSeen = Date.now();
    if (session.lastSeen - session.touchedAt > TOUCH_EVERY_MS) {
      session.touchedAt = session.lastSeen;
      void this.db.prisma.mcpSession
        .updateMany({ where: { id: session.id }, data: { lastSeenAt: new Date() } })
        .catch(() => undefined);
    }
    const ids = requestIdsOf(body);
    const transport = session.transport;
    if (ids.length) res.on('close', () => transport.releaseJson(ids));
    await transport.handleRequest(req, res, body);
  }

  private async open(
    id: string,
    principal: Principal,
    reopened: boolean,
    protocolVersion?: string,
  ): Promise<Session> {
    const state = new McpServerState(true);
    const server = this.factory.build(state);
    const transport = createSessionTransport({
      sessionId: id,
      eventStore: new DbEventStore(this.db, id),
      onsessionclosed: () => undefined,
    });
    const now = Date.now();
    const session: Session = {
      id,
      server,
      transport,
      state,
      principal,
      lastSeen: now,
      touchedAt: now,
      release: () => undefined,
    };
    transport.onclose = () => {
      if (this.sessions.get(id) === session) {
        this.sessions.delete(id);
        session.release();
        // DELETE or expiry ends the session for good (shutdown closes transports after clearing the map).
        void this.forget(id);
      }
    };
    await server.connect(transport);
    if (reopened) markInitialized(transport, id);
    else {
      await this.db.prisma.mcpSession.create({
        data: {
          id,
          protocolVersion: protocolVersion ?? null,
          principal: {
            kind: principal.kind,
            userId: principal.userId,
            apiKeyId: principal.apiKeyId ?? null,
            name: principal.name,
          },
        },
      });
    }
    session.release = this.subscriptions.add({
      principal,
      subscriptions: state.subscriptions,
      resourceUpdated: (uri) => server.server.sendResourceUpdated({ uri }),
      resourceListChanged: async () => server.sendResourceListChanged(),
    });
    this.sessions.set(id, session);
    return session;
  }

  /** A session started on another instance or before a restart: rebuilt from its database row. */
  private async reopen(id: string, principal: Principal): Promise<Session | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.db.prisma.mcpSession.findUnique({ where: { id } });
    if (!row || !samePrincipal(principal, row.principal as Record<string, unknown>)) return null;
    if (Date.now() - row.lastSeenAt.getTime() > this.config.mcpSessionIdleMinutes * 60_000) return null;
    return this.sessions.get(id) ?? this.open(id, principal, true);
  }

  private async closeSession(s: Session, forget: boolean): Promise<void> {
    if (!forget) this.sessions.delete(s.id);
    s.release();
    await s.server.close().catch(() => undefined);
  }

  private async forget(id: string): Promise<void> {
    try {
      await this.db.prisma.mcpSession.deleteMany({ where: { id } });
      await DbEventStore.dropSession(this.db, id);
    } catch (e) {
      this.logger.warn(`could not remove MCP session ${id}: ${(e as Error).message}`);
    }
  }

  /** Ends sessions idle for longer than MCP_SESSION_IDLE_MINUTES, here and in the database. */
  async expireIdle(now = Date.now()): Promise<number> {
    const cutoff = now - this.config.mcpSessionIdleMinutes * 60_000;
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.lastSeen < cutoff) {
        n++;
        await this.closeSession(s, true);
      }
    }
    try {
      const stale = await this.db.prisma.mcpSession.findMany({
        where: { lastSeenAt: { lt: new Date(cutoff) } },
        select: { id: true },
        take: 500,
      });
      for (const { id } of stale) if (!this.sessions.has(id)) await this.forget(id);
    } catch (e) {
      this.logger.warn(`MCP session sweep failed: ${(e as Error).message}`);
    }
    return n;
  }

  /** The allow-list, plus this server's own loopback origin (its port is known only once listening). */
  private originAllowed(origin: string, localPort: number | undefined): boolean {
    const o = origin.replace(/\/+$/, '').toLowerCase();
    if (this.allowedOrigins.has(o)) return true;
    try {
      const u = new URL(o);
      return LOOPBACK.has(u.hostname) && localPort !== undefined && u.port === String(localPort);
    } catch {
      return false;
    }
  }

  private hostAllowed(host: string | undefined): boolean {
    if (!host) return true;
    const name = host.replace(/:\d+$/, '').toLowerCase();
    return this.allowedHostnames.has(name);
  }

  private baseUrl(req: Req): string {
    if (!/:0$/.test(this.config.publicUrl)) return this.config.publicUrl;
    return `${req.protocol ?? 'http'}://${req.headers.host ?? '127.0.0.1'}`;
  }
}
