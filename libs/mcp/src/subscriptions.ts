import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InMemoryServerEventBus, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { hasScope, type Principal } from '@app/core';
import { EventBus, EventLogService, topicsAllowed, type ChangeEvent } from '@app/events';
import { parseResourceUri, resourceScope } from './resources';
import { ticketUri, userUri } from './schemas';

/** `_meta` key on resource notifications: the outbox event they come from (the SSE event id). */
export const OUTBOX_EVENT_META = 'io.contextdesk/eventId';

/** A connected 2025-era MCP peer that receives resource notifications (one session, or stdio). */
export interface NotificationTarget {
  readonly principal: Principal;
  readonly subscriptions: ReadonlySet<string>;
  /**
   * False while the peer has no stream a notification could go out on (a session between GET
   * streams): nothing is sent, since its SDK transport would drop it anyway, and a client that
   * reconnects with Last-Event-ID is replayed from the outbox. Absent: always listening (stdio).
   */
  listening?(): boolean;
  resourceUpdated(uri: string, eventId: number): Promise<void>;
  resourceListChanged(eventId: number): Promise<void>;
}

/** The resource URI a change event concerns, if any. */
export function uriOfEvent(e: ChangeEvent): string | null {
  const d = e.data as { slug?: unknown; number?: unknown; ticketNumber?: unknown };
  switch (e.topic) {
    case 'documents':
      return typeof d.slug === 'string' ? `kb://documents/${d.slug}` : null;
    case 'tickets': {
      const n = typeof d.number === 'number' ? d.number : d.ticketNumber;
      return typeof n === 'number' ? ticketUri(n) : null;
    }
    case 'users':
      return userUri(e.entityId);
    default:
      return null;
  }
}

const isListChange = (e: ChangeEvent) => e.topic === 'documents' && /\.(created|deleted)$/.test(e.event);

/** How many outbox events a resuming stream looks back at most. */
const REPLAY_LIMIT = 1000;

/**
 * Fans outbox events out to MCP peers, with no database work per peer: 2025-era sessions and
 * stdio get `notifications/resources/updated` for the resources they subscribed to and
 * `notifications/resources/list_changed` when a document is created or deleted; 2026-07-28
 * `subscriptions/listen` streams get the same through the SDK's event bus (`bus`). Changes
 * made through REST, MCP or another instance all arrive through the outbox.
 *
 * Notifications are never stored per session: the SSE event id of a notification is the
 * outbox id it comes from, so a session resuming its stream (Last-Event-ID, on any instance)
 * is replayed from the outbox itself (`replay`).
 */
@Injectable()
export class McpSubscriptions implements OnApplicationShutdown {
  private readonly logger = new Logger('McpSubscriptions');
  private readonly targets = new Set<NotificationTarget>();
  private unsubscribe: (() => void) | null = null;
  /** Notifications handed to 2025-era peers so far (tests and benches check idle ones get none). */
  sent = 0;
  /** The event bus of 2026-07-28 `subscriptions/listen` streams (handed to the SDK's handler). */
  readonly bus = new InMemoryServerEventBus((e) => this.logger.warn(`listen stream: ${e.message}`));

  constructor(
    private readonly events: EventBus,
    private readonly log: EventLogService,
  ) {}

  /** Starts listening to the outbox (the HTTP door calls it at start; stdio on connect). */
  start(): void {
    this.unsubscribe ??= this.events.subscribe((e) => this.dispatch(e));
  }

  add(target: NotificationTarget): () => void {
    this.start();
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  get size(): number {
    return this.targets.size;
  }

  /** The outbox position streams opened now start after. */
  get position(): number {
    return this.events.lastDeliveredId;
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.targets.clear();
  }

  /**
   * The notifications a peer would have received after outbox event `afterId`, with their
   * event ids; list_changed coalesced into one.
   */
  async replay(
    target: Pick<NotificationTarget, 'principal' | 'subscriptions'>,
    afterId: number,
  ): Promise<{ id: number; message: JSONRPCMessage }[]> {
    const events = await this.log.after(afterId, topicsAllowed(target.principal), REPLAY_LIMIT);
    const out: { id: number; message: JSONRPCMessage }[] = [];
    let listChanged: { id: number; message: JSONRPCMessage } | null = null;
    for (const e of events) {
      const uri = uriOfEvent(e);
      if (uri && target.subscriptions.has(uri)) out.push({ id: e.id, message: updated(uri, e.id) });
      if (isListChange(e)) listChanged = { id: e.id, message: listChangedMessage(e.id) };
    }
    if (listChanged) out.push(listChanged);
    return out.sort((a, b) => a.id - b.id);
  }

  private dispatch(e: ChangeEvent): void {
    const uri = uriOfEvent(e);
    const parsed = uri ? parseResourceUri(uri) : null;
    const listChanged = isListChange(e);
    if (uri) this.bus.publish({ kind: 'resource_updated', uri });
    if (listChanged) this.bus.publish({ kind: 'resources_list_changed' });
    if (!uri && !listChanged) return;
    for (const t of this.targets) {
      // Idle sessions cost one check here, not a message through their SDK server each.
      if (t.listening && !t.listening()) continue;
      if (parsed && !hasScope(t.principal, resourceScope(parsed.kind))) continue;
      if (uri && t.subscriptions.has(uri)) this.send(t.resourceUpdated(uri, e.id));
      if (listChanged) this.send(t.resourceListChanged(e.id));
    }
  }

  private send(p: Promise<void>): void {
    this.sent++;
    p.catch((err: Error) => this.logger.debug(`notification not delivered: ${err.message}`));
  }
}

const updated = (uri: string, id: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/resources/updated',
  params: { uri, _meta: { [OUTBOX_EVENT_META]: id } },
});

const listChangedMessage = (id: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/resources/list_changed',
  params: { _meta: { [OUTBOX_EVENT_META]: id } },
});

/** Sends the notifications of one outbox event through a 2025-era server instance. */
export function notifyThrough(server: {
  notification(n: { method: string; params?: Record<string, unknown> }): Promise<void>;
}): Pick<NotificationTarget, 'resourceUpdated' | 'resourceListChanged'> {
  return {
    resourceUpdated: (uri, id) =>
      server.notification({
        method: 'notifications/resources/updated',
        params: { uri, _meta: { [OUTBOX_EVENT_META]: id } },
      }),
    resourceListChanged: (id) =>
      server.notification({
        method: 'notifications/resources/list_changed',
        params: { _meta: { [OUTBOX_EVENT_META]: id } },
      }),
  };
}
