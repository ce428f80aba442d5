import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import {
  InvalidError,
  NotFoundError,
  VersionConflictError,
  clampLimit,
  decodeCursor,
  toPage,
  type FieldError,
  type Page,
  type Principal,
  isUuid,
  checkOutboundUrl,
  safePost,
  UnsafeUrlError,
} from '@app/core';
import { DatabaseService, Prisma } from '@app/database';
import { EventBus, toChangeEvent, type ChangeEvent } from '@app/events';
import { writeAudit } from '@app/observability';
import { AppConfig } from '@app/config';
import { JobHandlerRegistry, PermanentJobError, type JobContext, type JobHandler } from './job-handler';
import { JobQueue } from './job-queue';
import { retryDelayMs } from './queues';

export const SIGNATURE_HEADER = 'X-Context-Desk-Signature';
export const EVENT_ID_HEADER = 'X-Context-Desk-Event-Id';
const TIMEOUT_MS = 10_000;
const CACHE_MS = 5_000;

export interface WebhookDto {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  version: number;
  createdById: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptDto {
  attempt: number;
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  at: string;
}

export interface WebhookDeliveryDto {
  id: string;
  webhookId: string;
  eventId: number;
  event: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: WebhookAttemptDto[];
}

export interface WebhookInput {
  url?: string;
  events?: string[];
  secret?: string;
  active?: boolean;
}

type WebhookRow = Prisma.WebhookGetPayload<object>;

export const toWebhookDto = (w: WebhookRow): WebhookDto => ({
  id: w.id,
  url: w.url,
  events: [...w.events],
  active: w.active,
  version: w.version,
  createdById: w.createdById,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

/** `sha256=<hex HMAC-SHA256 of the raw body>`: what receivers recompute to check a delivery. */
export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The JSON body of a delivery: the event as WebSocket subscribers see it. */
export const deliveryBody = (e: ChangeEvent): string =>
  JSON.stringify({ id: e.id, topic: e.topic, event: e.event, entityId: e.entityId, data: e.data, at: e.at });

const EVENT_NAME = /^(\*|[a-z]+\.\*|[a-z]+\.[a-z_]+)$/;

function validate(input: WebhookInput, required: boolean): void {
  const errors: FieldError[] = [];
  if (input.url !== undefined || required) {
    let ok = false;
    try {
      const u = new URL(input.url ?? '');
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && (input.url ?? '').length <= 2000;
    } catch {
      ok = false;
    }
    if (!ok) errors.push({ field: 'url', message: 'must be an http(s) URL' });
  }
  if (input.events !== undefined || required) {
    const ev = input.events;
    if (
      !Array.isArray(ev) ||
      ev.length < 1 ||
      ev.length > 50 ||
      !ev.every((e) => typeof e === 'string' && EVENT_NAME.test(e))
    )
      errors.push({
        field: 'events',
        message: 'must be 1-50 event names such as "ticket.created", "ticket.*" or "*"',
      });
  }
  if (input.secret !== undefined || required) {
    if (typeof input.secret !== 'string' || input.secret.length < 16 || input.secret.length > 200)
      errors.push({ field: 'secret', message: 'must be 16 to 200 characters' });
  }
  if (errors.length) throw new InvalidError('webhook is not valid', errors);
}

const matches = (patterns: readonly string[], event: string): boolean =>
  patterns.some((p) => p === '*' || p === event || (p.endsWith('.*') && event.startsWith(p.slice(0, -1))));

/**
 * Webhooks: registrations (admin), the dispatcher that turns matching events into deliveries,
 * and the delivery job. Each (webhook, event) pair gets one delivery row (unique), so several
 * instances seeing the same event enqueue it once; the job retries with exponential backoff and
 * logs every attempt.
 */
@Injectable()
export class WebhooksService
  implements JobHandler<'webhooks'>, OnApplicationBootstrap, OnApplicationShutdown
{
  readonly queue = 'webhooks' as const;
  private readonly logger = new Logger('Webhooks');
  private cache: { at: number; hooks: WebhookRow[] } | null = null;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly jobs: JobQueue,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((e) => {
      this.chain = this.chain.then(() =>
        this.dispatch(e).catch((err: Error) =>
          this.logger.error(`dispatching event ${e.id} to webhooks: ${err.message}`),
        ),
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.chain;
  }

  async create(input: WebhookInput, actor: Principal): Promise<WebhookDto> {
    validate(input, true);
    await this.checkTarget(input.url!);
    const row = await this.db.transaction(async (tx) => {
      const w = await tx.webhook.create({
        data: {
          url: input.url!,
          events: [...new Set(input.events!)],
          secret: input.secret!,
          active: input.active ?? true,
          createdById: actor.userId,
        },
      });
      await writeAudit(tx, {
        actor,
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: w.id,
        outcome: 'success',
      });
      return w;
    });
    this.cache = null;
    return toWebhookDto(row);
  }

  async list(): Promise<WebhookDto[]> {
    const rows = await this.db.prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toWebhookDto);
  }

  async get(id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.find(id));
  }

  async update(
    id: string,
    input: WebhookInput & { expectedVersion?: number },
    actor: Principal,
  ): Promise<WebhookDto> {
    validate(input, false);
    if (input.url !== undefined) await this.checkTarget(input.url);
    const current = await this.find(id);
    const expected = input.expectedVersion ?? current.version;
    const row = await this.db.transaction(async (tx) => {
      const data: Prisma.WebhookUpdateManyMutationInput = { version: { increment: 1 } };
      if (input.url !== undefined) data.url = input.url;
      if (input.events !== undefined) data.events = [...new Set(input.events)];
      if (input.secret !== undefined) data.secret = input.secret;
      if (input.active !== undefined) data.active = input.active;
      const { count } = await tx.webhook.updateMany({ where: { id, version: expected }, data });
      if (count === 0) {
        const now = await tx.webhook.findUnique({ where: { id } });
        if (!now) throw new NotFoundError('webhook', id);
        throw new VersionConflictError('webhook', id, expected, now.version);
      }
      await writeAudit(tx, {
        actor,
        action: 'webhook.updated',
        targetType: 'webhook',
        targetId: id,
        outcome: 'success',
      });
      return tx.webhook.findUniqueOrThrow({ where: { id } });
    });
    this.cache = null;
    return toWebhookDto(row);
  }

  async delete(id: string, expectedVersion: number | undefined, actor: Principal): Promise<void> {
    await this.db.transaction(async (tx) => {
      const current = await tx.webhook.findUnique({ where: { id: uuidOr404(id) } });
      if (!current) throw new NotFoundError('webhook', id);
      if (expectedVersion !== undefined && expectedVersion !== current.version)
        throw new VersionConflictError('webhook', id, expectedVersion, current.version);
      await tx.webhook.delete({ where: { id } });
      await writeAudit(tx, {
        actor,
        action: 'webhook.deleted',
        targetType: 'webhook',
        targetId: id,
        outcome: 'success',
      });
    });
    this.cache = null;
  }

  async deliveries(
    webhookId: string,
    limit?: number,
    cursor?: string | null,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.find(webhookId);
    const take = clampLimit(limit);
    const after = cursor ? decodeCursor(cursor, isDeliveryCursor) : null;
    const rows = await this.db.prisma.webhookDelivery.findMany({
      where: {
        webhookId,
        ...(after
          ? {
              OR: [
                { createdAt: { lt: new Date(after.c) } },
                { createdAt: new Date(after.c), id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      include: { attemptLog: { orderBy: { attempt: 'asc' } } },
    });
    return toPage(
      rows,
      take,
      (d) => ({
        id: d.id,
        webhookId: d.webhookId,
        eventId: Number(d.eventId),
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        responseStatus: d.responseStatus,
        lastError: d.lastError,
        nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        createdAt: d.createdAt.toISOString(),
        attemptLog: d.attemptLog.map((a) => ({
          attempt: a.attempt,
          responseStatus: a.responseStatus,
          error: a.error,
          durationMs: a.durationMs,
          at: a.createdAt.toISOString(),
        })),
      }),
      (d) => ({ c: d.createdAt.toISOString(), id: d.id }),
    );
  }

  /** Creates the deliveries an event calls for (once per webhook, whichever instance is first). */
  async dispatch(e: ChangeEvent): Promise<void> {
    const hooks = (await this.activeHooks()).filter((h) => matches(h.events, e.event));
    for (const h of hooks) {
      const rows = await this.db.driver.query<{ id: string }>(
        `INSERT INTO webhook_delivery (id, webhook_id, event_id, event, updated_at)
         VALUES (gen_random_uuid(), $1::uuid, $2, $3, now()) ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id`,
        [h.id, e.id, e.event],
      );
      if (rows[0])
        await this.jobs.enqueue('webhooks', { deliveryId: rows[0].id }, { key: `webhook:${rows[0].id}` });
    }
  }

  /** One delivery attempt (the job handler). Throws on failure so the queue retries. */
  async handle(ctx: JobContext<'webhooks'>): Promise<unknown> {
    const delivery = await this.db.prisma.webhookDelivery.findUnique({
      where: { id: ctx.payload.deliveryId },
      include: { webhook: true },
    });
    if (!delivery) throw new PermanentJobError('the delivery no longer exists (webhook deleted)');
    if (delivery.status === 'succeeded')
      return { status: 'succeeded', responseStatus: delivery.responseStatus };
    const row = await this.db.prisma.event.findUnique({ where: { id: delivery.eventId } });
    if (!row) throw new PermanentJobError(`event ${delivery.eventId} is gone`);
    const body = deliveryBody(toChangeEvent(row));
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await safePost(delivery.webhook.url, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'context-desk-webhooks',
          [SIGNATURE_HEADER]: signBody(delivery.webhook.secret, body),
          [EVENT_ID_HEADER]: String(delivery.eventId),
        },
        body,
        timeoutMs: TIMEOUT_MS,
        policy: this.outboundPolicy(),
      });
      status = res.status;
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (e) {
      error =
        (e as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : (e as Error).message;
    }
    const ok = error === null;
    const final = ctx.attempt >= ctx.maxAttempts;
    const now = new Date();
    await this.db.transaction(async (tx) => {
      await tx.webhookDeliveryAttempt.create({
        data: {
          deliveryId: delivery.id,
          attempt: ctx.attempt,
          responseStatus: status,
          error,
          durationMs: Date.now() - started,
        },
      });
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts: ctx.attempt,
          responseStatus: status,
          lastError: error,
          status: ok ? 'succeeded' : final ? 'failed' : 'pending',
          deliveredAt: ok ? now : null,
          nextAttemptAt:
            ok || final ? null : new Date(now.getTime() + retryDelayMs(this.config, 'webhooks', ctx.attempt)),
        },
      });
    });
    if (!ok) throw new Error(`delivery to ${delivery.webhook.url} failed: ${error}`);
    this.bus.countDelivered('webhook');
    return { status: 'succeeded', responseStatus: status };
  }

  private outboundPolicy() {
    return { allowPrivate: this.config.webhookAllowPrivate };
  }

  /** SSRF guard at registration (delivery checks again after DNS resolution, in safePost). */
  private async checkTarget(url: string): Promise<void> {
    try {
      await checkOutboundUrl(url, this.outboundPolicy());
    } catch (e) {
      if (!(e instanceof UnsafeUrlError)) throw e;
      throw new InvalidError('webhook is not valid', [{ field: 'url', message: e.message }]);
    }
  }

  private async activeHooks(): Promise<WebhookRow[]> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) {
      this.cache = {
        at: Date.now(),
        hooks: await this.db.prisma.webhook.findMany({ where: { active: true } }),
      };
    }
    return this.cache.hooks;
  }

  private async find(id: string): Promise<WebhookRow> {
    const row = await this.db.prisma.webhook.findUnique({ where: { id: uuidOr404(id) } });
    if (!row) throw new NotFoundError('webhook', id);
    return row;
  }
}

const isDeliveryCursor = (v: unknown): v is { c: string; id: string } =>
  typeof (v as { c?: unknown })?.c === 'string' && typeof (v as { id?: unknown })?.id === 'string';

function uuidOr404(id: string): string {
  if (!isUuid(id)) throw new NotFoundError('webhook', id);
  return id;
}
