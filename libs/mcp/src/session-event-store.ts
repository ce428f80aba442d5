import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';
import { OUTBOX_EVENT_META, type McpSubscriptions, type NotificationTarget } from './subscriptions';

/** The SDK transport's name for a session's standalone (GET) stream. */
export const STANDALONE_STREAM = '_GET_stream';
/** Messages of request streams kept for resumption, per session... */
const KEEP_EVENTS = 200;
/** ...and for at most this long. */
const KEEP_MS = 5 * 60_000;

/**
 * Resumable streams of one 2025-11-25 session, with no database write per message:
 *
 * - The standalone stream carries only resource notifications, each derived from one outbox
 *   event; its SSE event ids are `g<outbox id>`, and a client resuming with such an id (on
 *   this or any other instance, before or after a restart) is replayed from the outbox.
 * - Request streams (a POST answered with SSE: progress, then the result) live as long as the
 *   request runs on this instance; their messages are kept here, bounded, for a client that
 *   reconnects to the same instance while the call runs (`r<n>` ids).
 */
export class SessionEventStore implements EventStore {
  private seq = 0;
  private readonly events: { id: number; at: number; streamId: string; message: JSONRPCMessage }[] = [];

  constructor(
    private readonly feed: Pick<McpSubscriptions, 'replay' | 'position'>,
    private readonly target: Pick<NotificationTarget, 'principal' | 'subscriptions'>,
  ) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    if (streamId === STANDALONE_STREAM) {
      const id = (message as { params?: { _meta?: Record<string, unknown> } }).params?._meta?.[
        OUTBOX_EVENT_META
      ];
      return `g${typeof id === 'number' ? id : this.feed.position}`;
    }
    const now = Date.now();
    this.events.push({ id: ++this.seq, at: now, streamId, message });
    while (this.events.length > KEEP_EVENTS || (this.events.length && now - this.events[0].at > KEEP_MS))
      this.events.shift();
    return `r${this.seq}`;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    if (/^g\d{1,15}$/.test(eventId)) return STANDALONE_STREAM;
    const n = /^r(\d{1,15})$/.exec(eventId);
    return n ? this.events.find((e) => e.id === Number(n[1]))?.streamId : undefined;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    if (lastEventId.startsWith('g')) {
      for (const e of await this.feed.replay(this.target, Number(lastEventId.slice(1))))
        await send(`g${e.id}`, e.message);
      return STANDALONE_STREAM;
    }
    const after = Number(lastEventId.slice(1));
    const streamId = await this.getStreamIdForEventId(lastEventId);
    if (!streamId) throw new Error(`unknown event id ${lastEventId}`);
    for (const e of this.events) {
      if (e.streamId === streamId && e.id > after && Object.keys(e.message).length > 0)
        await send(`r${e.id}`, e.message);
    }
    return streamId;
  }

  /** Messages held (tests and the memory bench check it stays bounded). */
  get size(): number {
    return this.events.length;
  }
}
