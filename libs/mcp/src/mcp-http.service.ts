import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  classifyInboundRequest,
  createMcpHandler,
  isInitializeRequest,
  legacyStatelessFallback,
  WebStandardStreamableHTTPServerTransport,
  type McpHandlerRequestOptions,
  type McpHttpHandler,
  type Server,
} from '@modelcontextprotocol/server';
import { toNodeHandler, toWebRequest, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { PrincipalCache, RateLimiter, type RateLimitPolicy } from '@app/auth';
import { AppConfig } from '@app/config';
import {
  isUnavailableError,
  retryAfterSeconds,
  OAUTH_SCOPES,
  UnauthorizedError,
  type Principal,
} from '@app/core';
import { DatabaseService } from '@app/database';
import { hashArgs } from '@app/observability';
import { McpAudit } from './audit';
import { readMcpBody } from './body';
import { McpCatalog } from './catalog';
import { ListAnswerCache } from './list-cache';
import { ListenSlots } from './listen-slots';
import { toAuthInfo, type McpAuthInfo } from './context';
import { McpServerFactory } from './mcp-server.factory';
import { HEADER_MISMATCH, paramHeaderMismatch } from './param-headers';
import { MCP_CHALLENGE_SCOPES, missingScope } from './scope-rule';
import { SessionEventStore } from './session-event-store';
import { unavailableText } from './tool-errors';
import { McpSubscriptions, notifyThrough } from './subscriptions';
import { mcpProtocolEra, recordMcpOutcome, traceMcpRequest } from './tracing';

const TOUCH_EVERY_MS = 60_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

type Req = IncomingMessage & { auth?: McpAuthInfo; protocol?: string };

interface Session {
  id: string;
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  serve: NodeMcpRequestHandler;
  principal: Principal;
  /** The bearer token the session was opened with (re-checked when its user changes). */
  token: string;
  subscriptions: Set<string>;
  store: SessionEventStore;
  lastSeen: number;
  touchedAt: number;
  /** Open GET streams (a session with one is not idle). */
  streams: number;
  release: () => void;
}

const rpcError = (
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  id: unknown = null,
  data?: Record<string, unknown>,
) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data ? { data } : {}) }, id }));
};

/** The JSON-RPC id of a single request body, when it has a usable one. */
const requestId = (body: unknown): string | number | null => {
  const id = body && typeof body === 'object' && !Array.isArray(body) ? (body as { id?: unknown }).id : null;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};

const samePrincipal = (a: Principal, b: { userId?: unknown; apiKeyId?: unknown }) =>
  a.userId === b.userId && (a.apiKeyId ?? null) === (b.apiKeyId ?? null);

const principalKey = (p: Principal) => p.apiKeyId ?? `u:${p.userId ?? p.name}`;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The Streamable HTTP door at /mcp, on SDK v2: Origin/Host checks, the body read with a byte
 * limit, bearer auth with RFC 9728 challenges and one scope rule, then
 *
 * - 2026-07-28 requests (per-request `_meta` envelope): the SDK's `createMcpHandler`, one
 *   cheap server instance per request; `subscriptions/listen` streams fed by the outbox;
 * - 2025-era requests: sessions (MCP_MODE=stateful: one server per session, resumable streams
 *   replayed from the outbox, capped per principal and in total, idle expiry) or the SDK's
 *   stateless fallback (MCP_MODE=stateless).
 */
@Injectable()
export class McpHttpService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpHttp');
  private readonly sessions = new Map<string, Session>();
  private modern!: McpHttpHandler;
  private serveModern!: NodeMcpRequestHandler;
  private serveLegacyStateless!: NodeMcpRequestHandler;
  private answerLegacyStateless!: (request: Request, o?: McpHandlerRequestOptions) => Promise<Response>;
  private readonly lists = new ListAnswerCache();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly allowedOrigins: Set<string>;
  private readonly allowedHostnames: Set<string>;
  private readonly checkHost: boolean;
  /** Live HTTP responses per principal (streams included), closed when its credentials are revoked. */
  private readonly live = new Map<string, Set<ServerResponse>>();
  /** RATE_LIMIT_PER_MINUTE requests per API key or user, as on REST (counted apart from REST). */
  private readonly rateLimit: RateLimitPolicy;
  /** 2026-07-28 listen streams, capped per principal and in total like sessions. */
  private readonly listens: ListenSlots;

  constructor(
    private readonly config: AppConfig,
    private readonly principals: PrincipalCache,
    private readonly factory: McpServerFactory,
    private readonly catalog: McpCatalog,
    private readonly subscriptions: McpSubscriptions,
    private readonly audit: McpAudit,
    private readonly db: DatabaseService,
    private readonly rateLimiter: RateLimiter,
  ) {
    this.rateLimit = { name: 'mcp', limit: config.rateLimitPerMinute, windowSec: 60 };
    this.listens = new ListenSlots(config.mcpMaxSessionsPerPrincipal, config.mcpMaxSessions);
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

  onModuleInit(): void {
    const onerror = (e: Error) => this.logger.debug(`MCP: ${e.message}`);
    const perRequest = () => this.factory.build({ notifies: true, subscribable: false });
    this.modern = createMcpHandler(perRequest, {
      legacy: 'reject',
      bus: this.subscriptions.bus,
      onerror,
      maxRequestBodySize: this.config.mcpMaxBodyBytes,
      // ListenSlots refuses first (503 + Retry-After); the SDK's own cap (an in-band -32603) is
      // only a backstop, with headroom for streams whose socket closed before the SDK let go.
      maxSubscriptions: this.config.mcpMaxSessions + 64,
    });
    this.serveModern = toNodeHandler(this.modern, {
      onerror,
      maxRequestBodySize: this.config.mcpMaxBodyBytes,
    });
    // 2025-era stateless requests: a fresh instance on a JSON-answering transport (no SSE
    // framing, no stream); a request asking for progress gets the SDK's streaming fallback.
    const statelessInstance = () => this.factory.build({ notifies: false, subscribable: false });
    const streaming = legacyStatelessFallback(statelessInstance, onerror, {
      maxRequestBodySize: this.config.mcpMaxBodyBytes,
    });
    const stateless = async (request: Request, o?: McpHandlerRequestOptions): Promise<Response> => {
      if (wantsProgress(o?.parsedBody)) return streaming(request, o);
      const server = statelessInstance();
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: this.config.mcpMaxBodyBytes,
      });
      await server.connect(transport);
      try {
        return await transport.handleRequest(request, { parsedBody: o?.parsedBody, authInfo: o?.authInfo });
      } finally {
        void server.close().catch(() => undefined);
      }
    };
    this.answerLegacyStateless = stateless;
    this.serveLegacyStateless = toNodeHandler({ fetch: stateless }, { onerror });
    this.subscriptions.start();
    this.principals.onRevocation((r) => {
      const done = r.apiKeyId ? this.revokeKey(r.apiKeyId) : r.userId ? this.recheck(r.userId) : null;
      done?.catch((e: Error) => this.logger.warn(`MCP revocation check failed: ${e.message}`));
    });
    if (this.mode === 'stateful') {
      const every = Math.min(60_000, (this.config.mcpSessionIdleMinutes * 60_000) / 4);
      this.sweeper = setInterval(() => void this.expireIdle(), every);
      this.sweeper.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    // Sessions stay in the database: clients resume them on the next start or another instance.
    await Promise.all([...this.sessions.values()].map((s) => this.closeSession(s, false)));
    await this.modern?.close();
  }

  /** RFC 9728 metadata for /mcp. */
  protectedResourceMetadata(req: Req): Record<string, unknown> {
    const base = this.baseUrl(req);
    return {
      resource: `${base}/mcp`,
      authorization_servers: [base],
      scopes_supported: [...OAUTH_SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'Context Desk',
      resource_documentation: `${base}/api/docs`,
    };
  }

  /** Counts for tests and benches. */
  stats(): {
    sessions: number;
    bufferedEvents: number;
    liveResponses: number;
    listenStreams: number;
    listAnswers: number;
    auditPending: number;
  } {
    let bufferedEvents = 0;
    for (const s of this.sessions.values()) bufferedEvents += s.store.size;
    let liveResponses = 0;
    for (const set of this.live.values()) liveResponses += set.size;
    return {
      sessions: this.sessions.size,
      bufferedEvents,
      liveResponses,
      listenStreams: this.listens.count(),
      listAnswers: this.lists.size,
      auditPending: this.audit.backlog.pending,
    };
  }

  /** Closes everything a revoked API key has open here. Returns how many. */
  async revokeKey(apiKeyId: string): Promise<number> {
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.principal.apiKeyId !== apiKeyId) continue;
      n++;
      await this.closeSession(s, true);
    }
    for (const res of this.live.get(apiKeyId) ?? []) {
      n++;
      res.destroy();
    }
    return n;
  }

  /**
   * Re-checks what a user has open here after their account or one of their keys changed
   * (seen on the outbox, so on every instance): sessions, streams and requests in flight whose
   * credentials no longer authenticate, or now carry other scopes, are closed. Returns how many.
   */
  async recheck(userId: string): Promise<number> {
    const stillValid = async (token: string, was: Principal) => {
      try {
        const now = await this.principals.authenticate(token, 'mcp');
        return now.role === was.role && [...now.scopes].sort().join() === [...was.scopes].sort().join();
      } catch {
        return false;
      }
    };
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.principal.userId !== userId || (await stillValid(s.token, s.principal))) continue;
      n++;
      await this.closeSession(s, true);
    }
    for (const set of [...this.live.values()]) {
      for (const res of [...set]) {
        const { mcpPrincipal: p, mcpToken: token } = res as ServerResponse & {
          mcpPrincipal?: Principal;
          mcpToken?: string;
        };
        if (!p || !token || p.userId !== userId || (await stillValid(token, p))) continue;
        n++;
        res.destroy();
      }
    }
    return n;
  }

  async handle(req: Req, res: ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (e) {
      // The database or Redis is down or saturated (authentication, opening a session): 503.
      if (isUnavailableError(e)) {
        this.logger.warn(`MCP request refused, service unavailable: ${(e as Error).message}`);
        if (!res.headersSent)
          rpcError(res, 503, -32000, unavailableText(e), { 'Retry-After': String(retryAfterSeconds(e)) });
        else res.end();
        return;
      }
      this.logger.error(`MCP request failed: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    }
  }

  private async dispatch(req: Req, res: ServerResponse): Promise<void> {
    if (!this.admitOrigin(req, res)) return;
    const method = req.method ?? 'GET';
    if (!['POST', 'GET', 'DELETE'].includes(method)) {
      res.setHeader('Allow', 'POST, GET, DELETE');
      return rpcError(res, 405, -32000, 'Method not allowed');
    }
    const caller = await this.authenticate(req, res);
    if (!caller) return;
    const { principal, token } = caller;

    let body: unknown;
    if (method === 'POST') {
      const read = await readMcpBody(req, this.config.mcpMaxBodyBytes);
      if (!read.ok) return rpcError(res, read.status, read.code, read.message, read.headers);
      body = read.body;
    }
    const legacy =
      method !== 'POST' ||
      classifyInboundRequest({
        httpMethod: 'POST',
        protocolVersionHeader: header(req, 'mcp-protocol-version'),
        mcpMethodHeader: header(req, 'mcp-method'),
        mcpNameHeader: header(req, 'mcp-name'),
        body,
      }).kind === 'legacy';
    const era = mcpProtocolEra(!legacy, header(req, 'mcp-protocol-version'));
    // The span opens before the rate limit and scope rule, so refused calls are traced too.
    return traceMcpRequest(body, era, this.config.tracing?.recordArguments ?? false, async () => {
      const refused = await this.admitCall(req, res, principal, body);
      if (refused) return recordMcpOutcome(refused);
      req.auth = toAuthInfo(token, principal);
      this.track(res, principal, token);
      return this.route(req, res, body, principal, legacy);
    });
  }

  private async route(req: Req, res: ServerResponse, body: unknown, principal: Principal, legacy: boolean) {
    if (!legacy) {
      // A JSON `null` (or any non-object) is still a body here: the SDK answers it with -32600.
      const call = (body && typeof body === 'object' ? body : {}) as {
        id?: unknown;
        method?: unknown;
        params?: { name?: unknown; arguments?: Record<string, unknown> };
      };
      const def =
        call.method === 'tools/call' && typeof call.params?.name === 'string'
          ? this.catalog.tool(call.params.name)
          : undefined;
      const mismatch = def && paramHeaderMismatch(def, call.params?.arguments, (h) => header(req, h));
      if (mismatch)
        return rpcError(res, 400, HEADER_MISMATCH, `Header mismatch: ${mismatch}`, {}, call.id ?? null);
      if (call.method === 'subscriptions/listen' && !this.admitListen(res, principal, call.id)) return;
      return (
        this.serveOrReplay(req, res, body, principal, 'modern', (r, o) => this.modern.fetch(r, o)) ??
        this.serveModern(req, res, body)
      );
    }
    if (this.mode === 'stateless') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return rpcError(res, 405, -32000, 'Method not allowed (stateless mode: no sessions)');
      }
      return (
        this.serveOrReplay(req, res, body, principal, 'stateless', this.answerLegacyStateless) ??
        this.serveLegacyStateless(req, res, body)
      );
    }
    return this.handleSession(req, res, body, principal);
  }

  /**
   * A list request (tools, prompts, templates, discovery), answered from ListAnswerCache or
   * through the SDK's web face (`answer`) and kept there; undefined for any other request.
   * `headers` go on the answer either way (a session's id).
   */
  private serveOrReplay(
    req: Req,
    res: ServerResponse,
    body: unknown,
    principal: Principal,
    route: 'modern' | 'stateless',
    answer: (request: Request, o?: McpHandlerRequestOptions) => Promise<Response>,
    headers: Record<string, string> = {},
  ): Promise<void> | undefined {
    const key = this.lists.keyOf(req, body, route, this.catalog.scopeSetOf(principal));
    if (!key) return undefined;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const id = (body as { id: string | number }).id;
    if (this.lists.replay(key, id, res)) return Promise.resolve();
    return (async () => {
      const request = await toWebRequest(req, body, { maxRequestBodySize: this.config.mcpMaxBodyBytes });
      await this.lists.pass(key, id, await answer(request, { parsedBody: body, authInfo: req.auth }), res);
    })();
  }

  /**
   * The checks every MCP door on HTTP shares (/mcp and the legacy /sse + /messages): Origin and
   * Host, bearer authentication with RFC 9728 challenges, and the one scope rule for `body`.
   * Answers the refusal itself and returns null, or returns the caller.
   */
  async admit(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<{ principal: Principal; token: string } | null> {
    const caller = await this.admitCaller(req, res);
    if (!caller || (await this.admitCall(req, res, caller.principal, body))) return null;
    return caller;
  }

  /** The first half of `admit`: Origin and Host, then bearer authentication. */
  async admitCaller(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ principal: Principal; token: string } | null> {
    if (!this.admitOrigin(req, res)) return null;
    return this.authenticate(req, res);
  }

  /**
   * The second half of `admit`: the rate limit and the scope rule for an authenticated caller's
   * `body`. A refusal is answered here; what refused it is returned (the MCP span's outcome).
   */
  async admitCall(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    body: unknown,
  ): Promise<'rate_limited' | 'denied' | null> {
    if (!(await this.admitRate(res, principal, body))) return 'rate_limited';
    if (!this.admitScopes(req, res, principal, body)) return 'denied';
    return null;
  }

  /** Remembers a long-lived response of another MCP door so that revocation closes it too. */
  trackStream(res: ServerResponse, principal: Principal, token: string): void {
    this.track(res, principal, token);
  }

  private admitOrigin(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin && !this.originAllowed(origin, req.socket?.localPort)) {
      rpcError(res, 403, -32000, `Forbidden: Origin ${origin} is not allowed`);
      return false;
    }
    if (this.checkHost && !this.hostAllowed(req.headers.host)) {
      rpcError(res, 403, -32000, `Forbidden: Host ${req.headers.host ?? '(none)'} is not allowed`);
      return false;
    }
    return true;
  }

  /** The bearer token (parsed once) and its principal, or null after answering 401. */
  private async authenticate(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ principal: Principal; token: string } | null> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    let principal: Principal;
    try {
      if (!token)
        throw new UnauthorizedError(
          'a bearer token is required (a JWT from /api/v1/auth/login or an API key)',
        );
      principal = await this.principals.authenticate(token, 'mcp');
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
      const ip = (req as { ip?: string }).ip ?? req.socket?.remoteAddress ?? '';
      if (!(await this.admitRate(res, ip, undefined))) return null;
      const challenge = [
        `resource_metadata="${this.baseUrl(req)}/.well-known/oauth-protected-resource"`,
        `scope="${MCP_CHALLENGE_SCOPES.join(' ')}"`,
        ...(token ? [`error="invalid_token"`, `error_description="${e.message.replace(/"/g, "'")}"`] : []),
      ];
      rpcError(res, 401, -32001, `Unauthorized: ${e.message}`, {
        'WWW-Authenticate': `Bearer ${challenge.join(', ')}`,
      });
      return null;
    }
    return { principal, token: token! };
  }

  /**
   * Counts one request against a limit: per API key, else per user, for authenticated callers;
   * per client IP (as TRUST_PROXY derives it) for refused ones. Shared by every instance through
   * Redis. Over it: 429 with Retry-After and a JSON-RPC error carrying the request's id.
   */
  private async admitRate(res: ServerResponse, who: Principal | string, body: unknown): Promise<boolean> {
    const key =
      typeof who === 'string'
        ? `ip:${who}`
        : who.apiKeyId
          ? `key:${who.apiKeyId}`
          : `user:${who.userId ?? who.name}`;
    const d = await this.rateLimiter.consume(this.rateLimit, key);
    if (d.allowed) return true;
    rpcError(
      res,
      429,
      -32000,
      `Too many requests: more than ${d.limit} MCP requests per minute ${typeof who === 'string' ? 'from this address' : 'for these credentials'}; retry in ${d.retryAfterSec} s`,
      { 'Retry-After': String(d.retryAfterSec) },
      requestId(body),
      { status: 429, retryAfter: d.retryAfterSec, limit: d.limit },
    );
    return false;
  }

  private admitScopes(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    body: unknown,
  ): boolean {
    const needed = missingScope(principal, body, this.catalog);
    if (needed) {
      if (needed.tool) {
        this.audit.record(
          {
            actor: principal,
            channel: 'mcp',
            action: 'mcp.tool_call',
            targetType: 'tool',
            targetId: needed.tool,
            outcome: 'denied',
            argsHash: hashArgs((body as { params?: { arguments?: unknown } }).params?.arguments ?? {}),
            durationMs: 0,
          },
          false,
        );
      }
      rpcError(
        res,
        403,
        -32000,
        `Forbidden: ${needed.what} requires the scope ${needed.scopes.join(' or ')}`,
        {
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed.scopes.join(' ')}", resource_metadata="${this.baseUrl(req)}/.well-known/oauth-protected-resource"`,
        },
        (body as { id?: unknown } | undefined)?.id ?? null,
      );
      return false;
    }
    return true;
  }

  /** Remembers a live response so that revoking its credentials can close it. */
  private track(res: ServerResponse, principal: Principal, token: string): void {
    const key = principalKey(principal);
    let set = this.live.get(key);
    if (!set) this.live.set(key, (set = new Set()));
    set.add(res);
    Object.assign(res, { mcpPrincipal: principal, mcpToken: token });
    res.once('close', () => {
      set.delete(res);
      if (set.size === 0 && this.live.get(key) === set) this.live.delete(key);
    });
  }

  private async handleSession(req: Req, res: ServerResponse, body: unknown, principal: Principal) {
    const sid = header(req, 'mcp-session-id');
    let session: Session | null = null;
    if (sid) {
      session = this.sessions.get(sid) ?? (await this.reopen(sid, principal, req.auth!.token));
      if (!session || !samePrincipal(principal, session.principal)) {
        return rpcError(res, 404, -32001, 'Session not found');
      }
    } else if (req.method === 'POST' && !Array.isArray(body) && isInitializeRequest(body)) {
      const room = await this.makeRoom(principal);
      if (!room) {
        return rpcError(
          res,
          503,
          -32000,
          'Too many open MCP sessions on this server; close unused sessions (DELETE /mcp) or retry later',
          { 'Retry-After': '30' },
          (body as { id?: unknown }).id ?? null,
        );
      }
      session = await this.open(
        randomUUID(),
        principal,
        req.auth!.token,
        (body as { params: { protocolVersion?: string } }).params.protocolVersion ?? null,
        [],
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
    if (req.method === 'POST') {
      // A list request in a session has the same answer as outside one; the spec lets a POST be
      // answered with JSON rather than an SSE stream.
      const replayed = this.serveOrReplay(
        req,
        res,
        body,
        principal,
        'stateless',
        this.answerLegacyStateless,
        {
          'mcp-session-id': session.id,
        },
      );
      if (replayed) return replayed;
    }
    if (req.method === 'GET') {
      const s = session;
      // A client resuming its standalone stream believes the old one is gone; the server may not
      // have seen that connection close yet (a dropped network can leave it half-open for
      // minutes). The resume supersedes it rather than getting 409: what the old stream still
      // held is replayed after Last-Event-ID. Not gated on our own count of open streams: the
      // SDK forgets a closed stream a few ticks after the socket's 'close' (a no-op when gone).
      const resumes = header(req, 'last-event-id');
      if (resumes && /^g\d+$/.test(resumes)) s.transport.closeStandaloneSSEStream();
      flushHeadersOnWrite(res);
      s.streams++;
      res.once('close', () => {
        s.streams--;
        s.lastSeen = Date.now();
      });
    }
    await session.serve(req, res, body);
  }

  /** Takes a listen-stream slot for `res`, or answers 503 + Retry-After as `initialize` does. */
  private admitListen(res: ServerResponse, principal: Principal, id: unknown): boolean {
    const slot = this.listens.take(principalKey(principal), res);
    if (slot.ok) return true;
    rpcError(
      res,
      503,
      -32000,
      `Too many open subscriptions/listen streams ${slot.scope === 'principal' ? 'for these credentials' : 'on this server'} (at most ${slot.cap}); close one or retry later`,
      { 'Retry-After': '30' },
      id ?? null,
      { status: 503, retryAfter: 30, limit: slot.cap },
    );
    return false;
  }

  /**
   * Makes room for one more session of `principal`: over the per-principal or total cap, the
   * idle oldest session (no open stream) is ended. False when every session is in use.
   */
  private async makeRoom(principal: Principal): Promise<boolean> {
    const key = principalKey(principal);
    const mine = [...this.sessions.values()].filter((s) => principalKey(s.principal) === key);
    if (mine.length >= this.config.mcpMaxSessionsPerPrincipal) {
      const victim = oldestIdle(mine);
      if (!victim) return false;
      await this.closeSession(victim, true);
    }
    if (this.sessions.size >= this.config.mcpMaxSessions) {
      const victim = oldestIdle([...this.sessions.values()]);
      if (!victim) return false;
      await this.closeSession(victim, true);
    }
    return true;
  }

  private async open(
    id: string,
    principal: Principal,
    token: string,
    protocolVersion: string | null,
    subscriptions: string[],
    reopened = false,
  ): Promise<Session> {
    const subs = new Set(subscriptions);
    const store = new SessionEventStore(this.subscriptions, { principal, subscriptions: subs });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      eventStore: store,
      retryInterval: 1000,
      maxRequestBodySize: this.config.mcpMaxBodyBytes,
    });
    const now = Date.now();
    const session: Session = {
      id,
      server: null as unknown as Server,
      transport,
      serve: toNodeHandler(
        { fetch: (r, o) => transport.handleRequest(r, { parsedBody: o?.parsedBody, authInfo: o?.authInfo }) },
        { maxRequestBodySize: this.config.mcpMaxBodyBytes },
      ),
      principal,
      token,
      subscriptions: subs,
      store,
      lastSeen: now,
      touchedAt: now,
      streams: 0,
      release: () => undefined,
    };
    session.server = this.factory.build({
      notifies: true,
      subscribable: true,
      subscriptions: subs,
      onSubscriptionsChanged: () => {
        void this.db.prisma.mcpSession
          .updateMany({ where: { id }, data: { subscriptions: [...subs] } })
          .catch((e: Error) => this.logger.warn(`could not store MCP subscriptions: ${e.message}`));
      },
    });
    transport.onclose = () => {
      if (this.sessions.get(id) === session) {
        this.sessions.delete(id);
        session.release();
        // DELETE or expiry ends the session for good (shutdown closes transports after clearing the map).
        void this.forget(id);
      }
    };
    await session.server.connect(transport);
    if (reopened) await this.replayHandshake(session, protocolVersion);
    else {
      await this.db.prisma.mcpSession.create({
        data: {
          id,
          protocolVersion,
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
      subscriptions: subs,
      listening: () => session.streams > 0,
      ...notifyThrough(session.server),
    });
    this.sessions.set(id, session);
    return session;
  }

  /**
   * A session opened on another instance or before a restart is rebuilt on a new transport
   * by replaying its initialize handshake (the SDK has no other way to adopt a session id).
   */
  private async replayHandshake(session: Session, protocolVersion: string | null): Promise<void> {
    const version = protocolVersion ?? '2025-11-25';
    const post = (body: unknown, sid?: string) =>
      session.transport.handleRequest(
        new Request('http://localhost/mcp', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': version,
            ...(sid ? { 'mcp-session-id': sid } : {}),
          },
          body: JSON.stringify(body),
        }),
      );
    const init = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'resumed', version: '0' } },
    });
    await init.body?.cancel();
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session.id);
  }

  /** A session started on another instance or before a restart: rebuilt from its database row. */
  private async reopen(id: string, principal: Principal, token: string): Promise<Session | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.db.prisma.mcpSession.findUnique({ where: { id } });
    if (!row || !samePrincipal(principal, row.principal as Record<string, unknown>)) return null;
    if (Date.now() - row.lastSeenAt.getTime() > this.config.mcpSessionIdleMinutes * 60_000) return null;
    if (this.sessions.has(id)) return this.sessions.get(id)!;
    if (!(await this.makeRoom(principal))) return null;
    return this.open(id, principal, token, row.protocolVersion, row.subscriptions, true);
  }

  private async closeSession(s: Session, forget: boolean): Promise<void> {
    if (!forget) this.sessions.delete(s.id);
    s.release();
    await s.server.close().catch(() => undefined);
  }

  private async forget(id: string): Promise<void> {
    try {
      await this.db.prisma.mcpSession.deleteMany({ where: { id } });
    } catch (e) {
      this.logger.warn(`could not remove MCP session ${id}: ${(e as Error).message}`);
    }
  }

  /** Ends sessions idle for longer than MCP_SESSION_IDLE_MINUTES, here and in the database. */
  async expireIdle(now = Date.now()): Promise<number> {
    const cutoff = now - this.config.mcpSessionIdleMinutes * 60_000;
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.lastSeen < cutoff && s.streams === 0) {
        n++;
        await this.closeSession(s, true);
      }
    }
    try {
      await this.db.prisma.mcpSession.deleteMany({
        where: { lastSeenAt: { lt: new Date(cutoff) }, id: { notIn: [...this.sessions.keys()] } },
      });
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

/** True when a request in `body` carries a progress token (its answer must be able to stream). */
function wantsProgress(body: unknown): boolean {
  const token = (m: unknown) =>
    (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta?.progressToken;
  return Array.isArray(body) ? body.some((m) => token(m) !== undefined) : token(body) !== undefined;
}

/** A standalone stream sends nothing until there is news: its headers go out at once. */
function flushHeadersOnWrite(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((...a: unknown[]) => {
    const r = writeHead(...a);
    res.flushHeaders();
    return r;
  }) as typeof res.writeHead;
}

function oldestIdle(sessions: Session[]): Session | undefined {
  let victim: Session | undefined;
  for (const s of sessions) if (s.streams === 0 && (!victim || s.lastSeen < victim.lastSeen)) victim = s;
  return victim;
}
