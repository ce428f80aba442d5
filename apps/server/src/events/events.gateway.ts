import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Server, WebSocket } from 'ws';
import { AuthService, PrincipalRevocations, revocationAffects, type PrincipalRevocation } from '@app/auth';
import { AppConfig } from '@app/config';
import { isUnavailableError, retryAfterSeconds, type Principal } from '@app/core';
import { EventBus, EventLogService, TOPICS, topicsAllowed, type ChangeEvent, type Topic } from '@app/events';
import { MetricsService } from '@app/observability';

/**
 * Close codes of `/events` (besides the standard 1001 "server shutting down"):
 * 4401 the credentials were refused after connecting: the API key was revoked, the user was
 *      deactivated or their password or role changed (a bad token is refused at the upgrade
 *      with HTTP 401),
 * 4008 slow consumer: the client fell too far behind; reconnect with `since` = last id received.
 */
export const WS_CLOSE = { goingAway: 1001, unauthorized: 4401, slowConsumer: 4008 } as const;

const REPLAY_BATCH = 500;
/** Live events held for one client while its replay runs; beyond this it is a slow consumer. */
const MAX_PENDING_EVENTS = 10_000;

interface Client {
  ws: WebSocket;
  principal: Principal;
  /** The bearer it connected with, re-checked when its user or key changes. */
  token: string;
  topics: Set<Topic> | null;
  /** Live events buffered while a replay runs (null when streaming live). */
  pending: ChangeEvent[] | null;
  lastSentId: number;
  /** Bumped by each subscribe, so a superseded replay stops. */
  generation: number;
  alive: boolean;
}

type ErrorCode = 'invalid_json' | 'invalid_message' | 'unknown_type' | 'replay_failed' | 'unavailable';

/**
 * The live event stream (contract section 6) on the shared HTTP port. Authenticated at the
 * upgrade; a `subscribe` with `since` replays the outbox and then switches to live events from
 * the event bus with no gap and no duplicate: live events that arrive during the replay are
 * held, and after the last replay page only those with a greater id are sent.
 */
@WebSocketGateway({ path: '/events', maxPayload: 64 * 1024 })
export class EventsGateway
  implements
    OnGatewayInit,
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnApplicationBootstrap,
    BeforeApplicationShutdown
{
  private readonly clients = new Map<WebSocket, Client>();
  private readonly principals = new WeakMap<IncomingMessage, { principal: Principal; token: string }>();
  private unsubscribe: (() => void) | null = null;
  private unsubscribeRevocations: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly connections;
  private readonly slowClosed;

  constructor(
    private readonly auth: AuthService,
    private readonly revocations: PrincipalRevocations,
    private readonly bus: EventBus,
    private readonly log: EventLogService,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.connections = metrics.gauge('context_desk_ws_connections', 'Open WebSocket connections on /events');
    this.slowClosed = metrics.counter(
      'context_desk_ws_slow_consumer_closes_total',
      'Clients closed with 4008',
    );
  }

  afterInit(server: Server): void {
    // Authenticate before accepting the upgrade, so a bad token gets a plain HTTP 401.
    server.options.verifyClient = (info, done) => {
      const token = bearerOf(info.req) ?? '';
      this.auth.authenticate(token, 'ws').then(
        (principal) => {
          this.principals.set(info.req, { principal, token });
          done(true);
        },
        (e: unknown) =>
          isUnavailableError(e)
            ? done(false, 503, 'Service Unavailable', { 'Retry-After': String(retryAfterSeconds(e)) })
            : done(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' }),
      );
    };
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((e) => this.fanOut(e));
    this.unsubscribeRevocations = this.revocations.subscribe((r) => this.revalidate(r));
    this.heartbeat = setInterval(() => this.beat(), this.config.wsHeartbeatMs);
    this.heartbeat.unref();
  }

  beforeApplicationShutdown(): void {
    this.unsubscribe?.();
    this.unsubscribeRevocations?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients.values()) c.ws.close(WS_CLOSE.goingAway, 'server shutting down');
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    const auth = this.principals.get(req);
    if (!auth) {
      ws.close(WS_CLOSE.unauthorized, 'unauthorized');
      return;
    }
    const client: Client = {
      ws,
      principal: auth.principal,
      token: auth.token,
      topics: null,
      pending: null,
      lastSentId: 0,
      generation: 0,
      alive: true,
    };
    this.clients.set(ws, client);
    this.connections.inc();
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? null : data.toString()));
  }

  handleDisconnect(ws: WebSocket): void {
    if (this.clients.delete(ws)) this.connections.dec();
  }

  /**
   * A key was revoked or a user changed: a revoked key's clients are closed at once; a changed
   * user's clients are re-authenticated and closed when refused, or keep only the topics their
   * new scopes allow. Events keep flowing meanwhile only to topics both principals allow.
   */
  private revalidate(r: PrincipalRevocation): void {
    for (const c of this.clients.values()) {
      if (!revocationAffects(r, c.principal)) continue;
      if (r.apiKeyId) {
        this.closeRevoked(c);
        continue;
      }
      this.auth.authenticate(c.token, 'ws').then(
        (principal) => {
          c.principal = principal;
          if (c.topics) c.topics = new Set(topicsAllowed(principal, [...c.topics]));
        },
        () => this.closeRevoked(c),
      );
    }
  }

  private closeRevoked(c: Client): void {
    c.topics = null;
    c.pending = null;
    c.generation++;
    if (!this.isOpen(c)) return;
    c.ws.close(WS_CLOSE.unauthorized, 'credentials revoked; sign in again');
    setTimeout(() => c.ws.terminate(), 5000).unref();
  }

  private onMessage(c: Client, text: string | null): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text ?? '');
    } catch {
      return this.error(c, 'invalid_json', 'messages must be JSON text frames');
    }
    const type = (msg as { type?: unknown } | null)?.type;
    if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof type !== 'string')
      return this.error(c, 'invalid_message', 'expected an object with a "type"');
    if (type === 'ping') return this.sendRaw(c, JSON.stringify({ type: 'pong' }));
    if (type === 'unsubscribe') {
      c.generation++;
      c.topics = null;
      c.pending = null;
      return this.sendRaw(c, JSON.stringify({ type: 'unsubscribed' }));
    }
    if (type !== 'subscribe') return this.error(c, 'unknown_type', `unknown message type "${type}"`);
    const { topics, since } = msg as { topics?: unknown; since?: unknown };
    const wanted = topics === undefined ? [...TOPICS] : topics;
    if (
      !Array.isArray(wanted) ||
      wanted.length === 0 ||
      !wanted.every((t) => (TOPICS as readonly unknown[]).includes(t))
    )
      return this.error(c, 'invalid_message', `"topics" must be a non-empty array of ${TOPICS.join(', ')}`);
    if (since !== undefined && since !== null && !(Number.isSafeInteger(since) && (since as number) >= 0))
      return this.error(c, 'invalid_message', '"since" must be an event id (a non-negative integer)');
    void this.subscribe(c, wanted as Topic[], typeof since === 'number' ? since : null);
  }

  private async subscribe(c: Client, wanted: Topic[], since: number | null): Promise<void> {
    const allowed = topicsAllowed(c.principal, [...new Set(wanted)]);
    const generation = ++c.generation;
    c.topics = new Set(allowed);
    const denied = wanted.filter((t) => !allowed.includes(t));
    if (since === null) {
      c.pending = null;
      c.lastSentId = this.bus.lastDeliveredId;
      this.sendRaw(c, JSON.stringify({ type: 'subscribed', topics: allowed, denied, since: null }));
      return;
    }
    // Hold live events from here on; the replay reads everything committed before them.
    c.pending = [];
    c.lastSentId = since;
    this.sendRaw(c, JSON.stringify({ type: 'subscribed', topics: allowed, denied, since }));
    try {
      for (;;) {
        const page = await this.log.after(c.lastSentId, allowed, REPLAY_BATCH);
        if (c.generation !== generation || !this.isOpen(c)) return;
        for (const e of page) if (!this.send(c, e, frameOf(e))) return;
        if (page.length < REPLAY_BATCH) break;
        if (!(await this.drained(c, generation))) return;
      }
    } catch (e) {
      if (c.generation === generation) {
        if (isUnavailableError(e))
          this.error(
            c,
            'unavailable',
            `the database is unavailable; subscribe again with since after ${retryAfterSeconds(e)} s`,
          );
        else
          this.error(
            c,
            'replay_failed',
            `replay failed: ${(e as Error).message}; subscribe again with since`,
          );
        c.topics = null;
        c.pending = null;
      }
      return;
    }
    // No await between the last page and here: every later event is in `pending`.
    const held = c.pending ?? [];
    c.pending = null;
    for (const e of held) if (e.id > c.lastSentId && !this.send(c, e, frameOf(e))) return;
  }

  private fanOut(e: ChangeEvent): void {
    // Encoded once for every subscriber.
    let frame: Buffer | null = null;
    for (const c of this.clients.values()) {
      if (!c.topics?.has(e.topic)) continue;
      if (c.pending) {
        c.pending.push(e);
        if (c.pending.length > MAX_PENDING_EVENTS) this.closeSlow(c);
        continue;
      }
      if (e.id <= c.lastSentId) continue;
      frame ??= Buffer.from(frameOf(e));
      this.send(c, e, frame);
    }
  }

  /** Sends one event; closes the client as a slow consumer when its send buffer is full. */
  private send(c: Client, e: ChangeEvent, frame: string | Buffer): boolean {
    if (!this.isOpen(c)) return false;
    if (c.ws.bufferedAmount > this.config.wsSendBufferBytes) {
      this.closeSlow(c);
      return false;
    }
    c.ws.send(frame, { binary: false });
    c.lastSentId = e.id;
    this.bus.countDelivered('ws');
    return true;
  }

  /** Replay pages wait for the socket to drain rather than filling memory. */
  private async drained(c: Client, generation: number): Promise<boolean> {
    const limit = this.config.wsSendBufferBytes / 2;
    const deadline = Date.now() + this.config.wsHeartbeatMs;
    while (c.ws.bufferedAmount > limit) {
      if (c.generation !== generation || !this.isOpen(c)) return false;
      if (Date.now() > deadline) {
        this.closeSlow(c);
        return false;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return c.generation === generation && this.isOpen(c);
  }

  private closeSlow(c: Client): void {
    if (!this.isOpen(c)) return;
    this.slowClosed.inc();
    c.topics = null;
    c.pending = null;
    // The reason is capped at 123 bytes by the protocol.
    c.ws.close(WS_CLOSE.slowConsumer, `slow consumer; reconnect with since=${c.lastSentId}`);
    // A peer that reads nothing would never answer the close handshake.
    setTimeout(() => c.ws.terminate(), 5000).unref();
  }

  private beat(): void {
    for (const c of this.clients.values()) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      if (this.isOpen(c)) c.ws.ping();
    }
  }

  private error(c: Client, code: ErrorCode, message: string): void {
    this.sendRaw(c, JSON.stringify({ type: 'error', code, message }));
  }

  private sendRaw(c: Client, text: string): void {
    if (this.isOpen(c)) c.ws.send(text);
  }

  private isOpen(c: Client): boolean {
    return c.ws.readyState === c.ws.OPEN;
  }
}

const frameOf = (e: ChangeEvent): string =>
  JSON.stringify({
    type: 'event',
    id: e.id,
    topic: e.topic,
    event: e.event,
    entityId: e.entityId,
    data: e.data,
    at: e.at,
  });

function bearerOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '').trim();
  try {
    return new URL(req.url ?? '/', 'http://localhost').searchParams.get('access_token');
  } catch {
    return null;
  }
}
