import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService, type Tx } from '@app/database';
import { EventBus, toChangeEvent } from '@app/events';
import {
  JobHandlerRegistry,
  PermanentJobError,
  retryDelayMs,
  type JobContext,
  type JobHandler,
  type JobPayloads,
} from '@app/jobs';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, deliveryBody, signBody } from './webhook-signing';
import { postToTarget } from './webhook-target';

const TIMEOUT_MS = 10_000;

/**
 * One delivery attempt (the `webhooks` queue's job). Throws on a non-2xx answer, a timeout or
 * a network error, so the job is retried with exponential backoff; every attempt is logged on
 * the delivery. A delivery that already succeeded is not sent again (a duplicate job after a
 * crash), but one that crashed between the POST and recording it is: delivery is at least
 * once, and receivers deduplicate by `X-Context-Desk-Event-Id`.
 */
@Injectable()
export class WebhookDeliveryHandler implements JobHandler<'webhooks'> {
  readonly queue = 'webhooks' as const;

  constructor(
    private readonly db: DatabaseService,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  /** The job failed without a final attempt recording it (its runner died): so does the delivery. */
  async failedOutside(tx: Tx, payload: JobPayloads['webhooks'], reason: string): Promise<void> {
    await tx.webhookDelivery.updateMany({
      where: { id: payload.deliveryId, status: 'pending' },
      data: { status: 'failed', lastError: reason, nextAttemptAt: null },
    });
  }

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
      ({ status } = await postToTarget(
        delivery.webhook.url,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'context-desk-webhooks',
          [SIGNATURE_HEADER]: signBody(delivery.webhook.secret, body),
          [EVENT_ID_HEADER]: String(delivery.eventId),
        },
        body,
        TIMEOUT_MS,
        { allowPrivate: this.config.webhookAllowPrivate },
      ));
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
}
