import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService, type Tx } from '@app/database';
import { EventBus } from '@app/events';
import { JobQueue, QUEUE_RETRY } from '@app/jobs';

/** Only one instance dispatches at a time (the others skip their turn). */
const DISPATCH_LOCK_KEY = 72707371;
const CURSOR_ID = 'webhooks';
/** Events per dispatch transaction. */
const BATCH = 500;
/** How often each instance looks for undispatched events when nothing woke it earlier. */
const POLL_MS = 1000;

/**
 * Turns committed outbox events into webhook deliveries, driven by a durable cursor
 * (`webhook_dispatch_cursor.last_event_id`) instead of an in-memory stream:
 *
 * In one transaction, under `pg_try_advisory_xact_lock` (one dispatcher at a time across
 * instances), it reads the events after the cursor, inserts one `webhook_delivery` row per
 * matching active webhook together with its `job` row, and advances the cursor. So every
 * matching committed event gets exactly one delivery with exactly one job, whatever crashed and
 * whenever: events committed while no instance ran (by the CLI, say) are dispatched at the next
 * start; a crash before the commit leaves the cursor where it was. The outbox commits ids in
 * order (see `appendEvent`), so reading `id > cursor` never skips an event. After the commit
 * the jobs are handed to the queue; one that is not (a crash, Redis down) is handed over by
 * the job reconciler, since its row is `queued`.
 *
 * Runs on every instance (woken by the event bus and by a 1 s poll); a webhook receives the
 * events committed after it was registered.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly bus: EventBus,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepOrphans().catch((e: Error) =>
      this.logger.warn(`re-enqueueing pending deliveries failed: ${e.message.split('\n')[0]}`),
    );
    this.unsubscribe = this.bus.subscribe(() => this.kick());
    this.timer = setInterval(() => this.kick(), Math.max(POLL_MS, this.config.eventPollMs));
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Dispatches now (or right after the pass in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Dispatches until the cursor reaches the end of the outbox (or another instance holds the lock). */
  async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const n = await this.dispatchBatch();
        if (n < BATCH) return;
      }
    } catch (e) {
      if (!this.stopped) this.logger.warn(`webhook dispatch failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  /** One transaction: deliveries + jobs for up to BATCH events, cursor advanced. Returns the events read. */
  private async dispatchBatch(): Promise<number> {
    const out = await this.db.prisma.$transaction(async (tx) => this.dispatchIn(tx), {
      timeout: 30_000,
      maxWait: 10_000,
    });
    if (!out) return 0;
    await this.jobs.submit(out.jobs.map((id) => ({ queue: 'webhooks' as const, id, attempt: 1 })));
    return out.events;
  }

  private async dispatchIn(tx: Tx): Promise<{ jobs: string[]; events: number } | null> {
    const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(${DISPATCH_LOCK_KEY}::bigint) AS locked`;
    if (!locked) return null;
    await tx.$executeRaw`
      INSERT INTO webhook_dispatch_cursor (id, last_event_id)
      SELECT ${CURSOR_ID}, coalesce(max(id), 0) FROM event ON CONFLICT (id) DO NOTHING`;
    const [{ last }] = await tx.$queryRaw<{ last: bigint }[]>`
      SELECT last_event_id AS last FROM webhook_dispatch_cursor WHERE id = ${CURSOR_ID} FOR UPDATE`;
    const [{ hi, n }] = await tx.$queryRaw<{ hi: bigint | null; n: number }[]>`
      SELECT max(id) AS hi, count(*)::int AS n
        FROM (SELECT id FROM event WHERE id > ${last} ORDER BY id LIMIT ${BATCH}) e`;
    if (hi === null) return { jobs: [], events: 0 };
    const jobs = await tx.$queryRaw<{ id: string }[]>`
      WITH d AS (
        INSERT INTO webhook_delivery (id, webhook_id, event_id, event, updated_at)
        SELECT gen_random_uuid(), w.id, e.id, e.event, now()
          FROM event e
          JOIN webhook w ON w.active AND w.created_at <= e.created_at
           AND ('*' = ANY(w.events) OR e.event = ANY(w.events)
                OR split_part(e.event, '.', 1) || '.*' = ANY(w.events))
         WHERE e.id > ${last} AND e.id <= ${hi}
         ORDER BY e.id, w.id
        ON CONFLICT (webhook_id, event_id) DO NOTHING
        RETURNING id, event_id)
      INSERT INTO job (id, queue, name, key, payload, max_attempts, run_at, updated_at, trace_parent)
      SELECT gen_random_uuid(), 'webhooks', 'webhooks', 'webhook:' || d.id,
             jsonb_build_object('deliveryId', d.id), ${QUEUE_RETRY.webhooks.attempts}, now(), now(),
             ev.trace_parent -- the delivery continues the trace of the write that caused it
        FROM d JOIN event ev ON ev.id = d.event_id
      ON CONFLICT (key) DO NOTHING
      RETURNING id::text AS id`;
    await tx.$executeRaw`
      UPDATE webhook_dispatch_cursor SET last_event_id = ${hi}, updated_at = now() WHERE id = ${CURSOR_ID}`;
    return { jobs: jobs.map((j) => j.id), events: n };
  }

  /** `pending` deliveries without a job (left by an older version): give each its job. */
  private async sweepOrphans(): Promise<void> {
    const rows = await this.db.driver.query<{ id: string }>(
      `INSERT INTO job (id, queue, name, key, payload, max_attempts, run_at, updated_at)
       SELECT gen_random_uuid(), 'webhooks', 'webhooks', 'webhook:' || d.id,
              jsonb_build_object('deliveryId', d.id), $1, now(), now()
         FROM webhook_delivery d
        WHERE d.status = 'pending' AND NOT EXISTS (SELECT 1 FROM job j WHERE j.key = 'webhook:' || d.id)
       ON CONFLICT (key) DO NOTHING RETURNING id::text AS id`,
      [QUEUE_RETRY.webhooks.attempts],
    );
    if (rows.length) this.logger.log(`re-enqueued ${rows.length} pending webhook deliveries without a job`);
    await this.jobs.submit(rows.map((r) => ({ queue: 'webhooks' as const, id: r.id, attempt: 1 })));
  }
}
