import { createHmac } from 'node:crypto';
import type { ChangeEvent } from '@app/events';

export const SIGNATURE_HEADER = 'X-Context-Desk-Signature';
/** The outbox event id: receivers deduplicate on it (delivery is at least once). */
export const EVENT_ID_HEADER = 'X-Context-Desk-Event-Id';

/** `sha256=<hex HMAC-SHA256 of the raw body>`: what receivers recompute to check a delivery. */
export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The JSON body of a delivery: the event as WebSocket subscribers see it. */
export const deliveryBody = (e: ChangeEvent): string =>
  JSON.stringify({ id: e.id, topic: e.topic, event: e.event, entityId: e.entityId, data: e.data, at: e.at });
