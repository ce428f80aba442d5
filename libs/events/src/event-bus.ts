import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { context } from '@opentelemetry/api';
import { AppConfig } from '@app/config';
import { contextFromTraceparent, tracingEnabled } from '@app/core';
import { DatabaseService } from '@app/database';
import { MetricsService } from '@app/observability';
import { REDIS, createRedis } from '@app/redis';
import { EventLogService } from './event-log.service';
import { TOPICS, traceParentOf, type ChangeEvent } from './outbox';

export type EventListener = (event: ChangeEvent) => void;

/** Redis channel carrying "the outbox has grown" wake-ups between instances. */
export const WAKE_CHANNEL = 'context-desk:events:wake';
const BATCH = 500;

/**
 * Delivers every committed outbox event to local listeners, in id order, exactly once per
 * instance.
 *
 * Each instance tails the outbox itself (`id > lastSeen`): `appendEvent` commits ids in
 * increasing order, so that read never skips an event and never repeats one. The outbox is the
 * only source; Redis (when configured) carries nothing but wake-ups, published by the instance
 * that first sees new rows or that was told of a local commit. We chose that over publishing
 * payloads on Redis because pub/sub is at-most-once (a reconnect drops messages) and would
 * need its own ordering and gap repair; with wake-ups, a lost message only costs one poll
 * interval, and order and completeness come from Postgres. Without Redis, the poll interval
 * (EVENT_POLL_MS) bounds the delay; `notifyCommitted()` skips the wait for local writers.
 */
@Injectable()
export class EventBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventBus');
  private readonly listeners = new Set<EventListener>();
  private lastSeen = 0;
  private started = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private subscriber: Redis | null = null;
  private readonly published;
  private readonly delivered;
  private readonly lag;

  private unhookCommits: (() => void) | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly log: EventLogService,
    private readonly config: AppConfig,
    metrics: MetricsService,
    @Optional() @Inject(REDIS) private readonly redis: Redis | null = null,
  ) {
    this.published = metrics.counter(
      'context_desk_events_published_total',
      'Outbox events read by this instance and handed to its listeners',
      ['topic'],
    );
    this.delivered = metrics.counter(
      'context_desk_events_delivered_total',
      'Events sent to subscribers (WebSocket frames, MCP notifications)',
      ['channel'],
    );
    this.lag = metrics.histogram(
      'context_desk_events_fanout_lag_seconds',
      'Time from outbox commit to local fan-out',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
  }

  /** The id of the last event handed to listeners (0 before any). */
  get lastDeliveredId(): number {
    return this.lastSeen;
  }

  /** Listeners run synchronously in id order; one that throws does not stop the others. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts frames sent by a subscriber door (for the delivered metric). */
  countDelivered(channel: 'ws' | 'mcp' | 'webhook', n = 1): void {
    this.delivered.inc({ channel }, n);
  }

  /** Tells the bus that an event was committed here: polls now and wakes other instances. */
  notifyCommitted(): void {
    this.kick();
    this.redis?.publish(WAKE_CHANNEL, '1').catch(() => undefined);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lastSeen = await this.log.latestId();
    this.started = true;
    this.unhookCommits = this.db.afterCommit(() => this.notifyCommitted());
    if (this.config.redisUrl) {
      this.subscriber = createRedis(this.config.redisUrl, { name: 'context-desk-events' });
      this.subscriber.on('message', () => this.kick());
      await this.subscriber.subscribe(WAKE_CHANNEL).catch((e: Error) => {
        this.logger.warn(`Redis wake-ups unavailable, polling only: ${e.message}`);
      });
    }
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unhookCommits?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (this.subscriber) await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
    this.listeners.clear();
  }

  /** Polls now (or right after the poll in progress). */
  kick(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), this.config.eventPollMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      let found = false;
      for (;;) {
        const batch = await this.log.after(this.lastSeen, TOPICS, BATCH);
        if (this.stopped) return;
        const now = Date.now();
        for (const e of batch) {
          this.lastSeen = e.id;
          this.published.inc({ topic: e.topic });
          this.lag.observe(Math.max(0, now - Date.parse(e.at)) / 1000);
          // Listeners run in the writer's trace, so jobs they enqueue (webhooks, SLA) join it.
          const ctx = tracingEnabled() ? contextFromTraceparent(traceParentOf(e)) : null;
          for (const l of this.listeners) {
            try {
              if (ctx) context.with(ctx, () => l(e));
              else l(e);
            } catch (err) {
              this.logger.error(`event listener failed on event ${e.id}: ${(err as Error).message}`);
            }
          }
        }
        found ||= batch.length > 0;
        if (batch.length < BATCH) break;
      }
      // The first instance to see new rows wakes the others (they may poll less often).
      if (found && this.redis) this.redis.publish(WAKE_CHANNEL, '1').catch(() => undefined);
    } catch (e) {
      if (!this.stopped) this.logger.warn(`outbox poll failed: ${(e as Error).message}`);
    }
  }
}
