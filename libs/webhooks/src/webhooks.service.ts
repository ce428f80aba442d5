import { Injectable } from '@nestjs/common';
import {
  InvalidError,
  NotFoundError,
  VersionConflictError,
  clampLimit,
  decodeCursor,
  toPage,
  type Page,
  type Principal,
  isUuid,
  jsonDates,
  parseInput,
  type OutboundPolicy,
} from '@app/core';
import { DatabaseService, Prisma } from '@app/database';
import { writeAudit } from '@app/observability';
import { checkTargetUrl } from './webhook-target';
import { AppConfig } from '@app/config';
import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliverySchema,
  webhookSchema,
  type CreateWebhookInput,
  type UpdateWebhookInput,
  type WebhookDeliveryDto,
  type WebhookDto,
} from './webhook.schema';

type WebhookRow = Prisma.WebhookGetPayload<object>;

/** The public shape (the secret is not part of it, so parsing drops it). */
export const toWebhookDto = (w: WebhookRow): WebhookDto => webhookSchema.parse(jsonDates(w));

/** The target must be allowed by the outbound policy (DNS: async, so not in the schema). */
async function checkUrl(url: string | undefined, policy: OutboundPolicy): Promise<void> {
  if (url === undefined) return;
  const refused = await checkTargetUrl(url, policy).then(
    () => null,
    (e: Error) => e.message,
  );
  if (refused)
    throw new InvalidError(`webhook is not valid: url ${refused}`, [{ field: 'url', message: refused }]);
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

  async create(raw: CreateWebhookInput, actor: Principal): Promise<WebhookDto> {
    const input = parseInput(createWebhookSchema, raw, 'webhook');
    await checkUrl(input.url, this.policy);
    const row = await this.db.transaction(async (tx) => {
      const w = await tx.webhook.create({
        data: {
          url: input.url,
          events: input.events,
          secret: input.secret,
          active: input.active,
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

  async update(id: string, raw: UpdateWebhookInput, actor: Principal): Promise<WebhookDto> {
    const input = parseInput(updateWebhookSchema, raw, 'webhook change');
    await checkUrl(input.url, this.policy);
    const current = await this.find(id);
    const expected = input.expectedVersion ?? current.version;
    const row = await this.db.transaction(async (tx) => {
      const data: Prisma.WebhookUpdateManyMutationInput = { version: { increment: 1 } };
      if (input.url !== undefined) data.url = input.url;
      if (input.events !== undefined) data.events = input.events;
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
      ({ attemptLog, ...d }) =>
        webhookDeliverySchema.parse(
          jsonDates({
            ...d,
            eventId: Number(d.eventId),
            attemptLog: attemptLog.map(({ createdAt, ...a }) => ({ ...a, at: createdAt })),
          }),
        ),
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
