import { Injectable } from '@nestjs/common';
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
  type OutboundPolicy,
} from '@app/core';
import { DatabaseService, Prisma } from '@app/database';
import { writeAudit } from '@app/observability';
import { checkTargetUrl } from './webhook-target';
import { AppConfig } from '@app/config';

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

const EVENT_NAME = /^(\*|[a-z]+\.\*|[a-z]+\.[a-z_]+)$/;

async function validate(input: WebhookInput, required: boolean, policy: OutboundPolicy): Promise<void> {
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
    else {
      const refused = await checkTargetUrl(input.url!, policy).then(
        () => null,
        (e: Error) => e.message,
      );
      if (refused) errors.push({ field: 'url', message: refused });
    }
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

/**
 * Webhook registrations (admin) and their delivery log. Deliveries are created by the
 * {@link WebhookDispatcher} and attempted by the {@link WebhookDeliveryHandler}.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  private get policy(): OutboundPolicy {
    return { allowPrivate: this.config.webhookAllowPrivate };
  }

  async create(input: WebhookInput, actor: Principal): Promise<WebhookDto> {
    await validate(input, true, this.policy);
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
    await validate(input, false, this.policy);
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
