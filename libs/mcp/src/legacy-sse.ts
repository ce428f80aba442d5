import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { JSONRPCMessage, MessageExtraInfo, Server, Transport } from '@modelcontextprotocol/server';
import { AppConfig } from '@app/config';
import type { Principal } from '@app/core';
import { readMcpBody } from './body';
import { toAuthInfo } from './context';
import { McpHttpService } from './mcp-http.service';
import { McpServerFactory } from './mcp-server.factory';
import { McpSubscriptions, notifyThrough } from './subscriptions';
import { recordMcpOutcome, traceMcpRequest } from './tracing';

const KEEPALIVE_MS = 25_000;
/** The protocol revision of this transport, the MCP span's `mcp.protocol.era`. */
const LEGACY_ERA = '2024-11-05';

/**
 * The deprecated 2024-11-05 HTTP+SSE transport, server side: `GET /sse` opens an event stream
 * whose first event names the endpoint (`/messages?sessionId=…`) to POST JSON-RPC messages to;
 * replies and notifications come back as `message` events on the stream. SDK v2 ships no
 * server for it, so this is the transport alone; everything above it is the shared server.
 */
class LegacySseTransport implements Transport {
  readonly sessionId = randomUUID();
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private keepalive: NodeJS.Timeout | null = null;
  private closed = false;
  /** Requests received and not yet answered, by JSON-RPC id: what `deliver` waits for. */
  private readonly awaiting = new Map<string | number, (() => void)[]>();

  constructor(
    private readonly res: ServerResponse,
    private readonly endpoint: string,
  ) {}

  async start(): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`);
    this.keepalive = setInterval(() => this.res.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
    this.res.on('close', () => this.finish());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    if (!('method' in message) && 'id' in message) this.answered(message.id as string | number);
  }

  /**
   * Hands a client message to the server and resolves once its reply is on the stream (at once
   * for notifications and responses), so that the MCP span around it covers the whole call.
   */
  deliver(message: JSONRPCMessage, extra: MessageExtraInfo): Promise<void> {
    const id = 'method' in message && 'id' in message ? (message.id as string | number) : undefined;
    const replied =
      id === undefined || this.closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const waiting = this.awaiting.get(id);
            if (waiting) waiting.push(resolve);
            else this.awaiting.set(id, [resolve]);
          });
    this.onmessage?.(message, extra);
    return replied;
  }

  private answered(id: string | number): void {
    const waiting = this.awaiting.get(id);
    waiting?.shift()?.();
    if (waiting?.length === 0) this.awaiting.delete(id);
  }

  async close(): Promise<void> {
    this.res.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.keepalive) clearInterval(this.keepalive);
    for (const waiting of this.awaiting.values()) waiting.forEach((resolve) => resolve());
    this.awaiting.clear();
    this.onclose?.();
  }
}

interface LegacySession {
  transport: LegacySseTransport;
  server: Server;
  principal: Principal;
  release: () => void;
}

/**
 * Legacy HTTP+SSE sessions (MCP_LEGACY_SSE=true). Each request passes the same Origin/Host
 * checks, bearer authentication, scope rule and body limits as `/mcp`; a POST must come from
 * the principal that opened the stream. Sessions live in this process (the transport has no
 * resumability), are capped like /mcp sessions, and close when their credentials are revoked.
 */
@Injectable()
export class LegacySseService implements OnApplicationShutdown {
  private readonly logger = new Logger('McpLegacySse');
  private readonly sessions = new Map<string, LegacySession>();

  constructor(
    private readonly config: AppConfig,
    private readonly http: McpHttpService,
    private readonly factory: McpServerFactory,
    private readonly subscriptions: McpSubscriptions,
  ) {}

  get enabled(): boolean {
    return this.config.mcpLegacySse;
  }

  /** GET /sse */
  async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const admitted = await this.http.admit(req, res, undefined);
    if (!admitted) return;
    if (this.sessions.size >= this.config.mcpMaxSessions) {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '30' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'too many MCP sessions; retry later' },
          id: null,
        }),
      );
      return;
    }
    const { principal, token } = admitted;
    const transport = new LegacySseTransport(res, `${this.config.publicUrl.replace(/\/+$/, '')}/messages`);
    const subs = new Set<string>();
    const server = this.factory.build({
      notifies: true,
      subscribable: true,
      subscriptions: subs,
      fixedPrincipal: principal,
    });
    const session: LegacySession = { transport, server, principal, release: () => undefined };
    transport.onclose = () => {
      this.sessions.delete(transport.sessionId);
      session.release();
    };
    this.sessions.set(transport.sessionId, session);
    await server.connect(transport);
    session.release = this.subscriptions.add({ principal, subscriptions: subs, ...notifyThrough(server) });
    this.http.trackStream(res, principal, token);
  }

  /** POST /messages?sessionId=… */
  async postMessage(req: IncomingMessage, res: ServerResponse, sessionId: string | undefined): Promise<void> {
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    const read = await readMcpBody(req, this.config.mcpMaxBodyBytes);
    if (!read.ok) {
      res.writeHead(read.status, { 'Content-Type': 'application/json', ...(read.headers ?? {}) });
      res.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: read.code, message: read.message }, id: null }),
      );
      return;
    }
    const caller = await this.http.admitCaller(req, res);
    if (!caller) return;
    const { principal, token } = caller;
    const body = read.body;
    // One MCP span per POST, as on /mcp: it opens before the rate limit and scope rule (a refusal
    // is its outcome) and ends when the replies are on the stream, not at the 202.
    return traceMcpRequest(body, LEGACY_ERA, this.config.tracing?.recordArguments ?? false, async () => {
      const refused = await this.http.admitCall(req, res, principal, body);
      if (refused) return recordMcpOutcome(refused);
      if (
        !session ||
        session.principal.userId !== principal.userId ||
        (session.principal.apiKeyId ?? null) !== (principal.apiKeyId ?? null)
      ) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
        );
        return;
      }
      const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
      res.writeHead(202).end();
      const extra = { authInfo: toAuthInfo(token, principal) };
      await Promise.all(messages.map((m) => session.transport.deliver(m, extra)));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const s of [...this.sessions.values()]) await s.transport.close().catch(() => undefined);
    this.logger.debug('legacy SSE sessions closed');
  }
}
