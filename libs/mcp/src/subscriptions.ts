import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { hasScope, type Principal } from '@app/core';
import { EventBus, type ChangeEvent } from '@app/events';
import { parseResourceUri, resourceScope } from './resources';
import { ticketUri, userUri } from './schemas';

/** A connected MCP peer that can receive resource notifications (one session, or stdio). */
export interface NotificationTarget {
  readonly principal: Principal;
  readonly subscriptions: ReadonlySet<string>;
  resourceUpdated(uri: string): Promise<void>;
  resourceListChanged(): Promise<void>;
}

/** Where change events come from; the in-process/Redis event bus tailing the outbox. */
export interface ChangeFeed {
  subscribe(listener: (e: ChangeEvent) => void): () => void;
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

/**
 * Fans outbox events out to MCP peers: `notifications/resources/updated` to those subscribed to
 * the changed resource, `notifications/resources/list_changed` when a document is created or
 * deleted. Changes made through REST, MCP or another instance all arrive through the feed.
 */
@Injectable()
export class McpSubscriptions implements OnApplicationShutdown {
  private readonly logger = new Logger('McpSubscriptions');
  private readonly targets = new Set<NotificationTarget>();
  private unsubscribe: (() => void) | null = null;
  private readonly feed: ChangeFeed;

  constructor(bus: EventBus) {
    this.feed = bus;
  }

  add(target: NotificationTarget): () => void {
    this.targets.add(target);
    this.unsubscribe ??= this.feed.subscribe((e) => this.dispatch(e));
    return () => {
      this.targets.delete(target);
    };
  }

  get size(): number {
    return this.targets.size;
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.targets.clear();
  }

  private dispatch(e: ChangeEvent): void {
    const uri = uriOfEvent(e);
    const parsed = uri ? parseResourceUri(uri) : null;
    const listChanged = e.topic === 'documents' && /\.(created|deleted)$/.test(e.event);
    for (const t of this.targets) {
      if (parsed && !hasScope(t.principal, resourceScope(parsed.kind))) continue;
      if (uri && t.subscriptions.has(uri)) this.send(t.resourceUpdated(uri));
      if (listChanged) this.send(t.resourceListChanged());
    }
  }

  private send(p: Promise<void>): void {
    p.catch((err: Error) => this.logger.debug(`notification not delivered: ${err.message}`));
  }
}
