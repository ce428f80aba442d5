import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { Principal } from '@app/core';
import { EventBus, type ChangeEvent } from '@app/events';

/** Outbox event names that may take access away from live principals. */
export const REVOCATION_EVENTS = {
  /** topic `users`: password, role, active flag (or only the name) of a user changed. */
  userUpdated: 'user.updated',
  /** topic `users`: an API key was revoked (entityId = the key's id). */
  apiKeyRevoked: 'api_key.revoked',
  /** topic `users`: a user's grants to an OAuth app were revoked (entityId = the user's id). */
  oauthAppRevoked: 'oauth_app.revoked',
} as const;

/**
 * "Principals of this user / this key may have lost access." Emitted on every instance, from
 * the outbox (so a change committed through any instance reaches all of them within one event
 * poll), in event id order.
 *
 * - `apiKeyId` set: that key is revoked. Close its streams.
 * - `userId` set: the user changed (password, role, deactivation, or only the name). Drop
 *   cached principals of the user and of the user's keys, re-authenticate live streams with
 *   their bearer (`AuthService.authenticate`) and close those that are refused; keep the
 *   others with the scopes the new principal has.
 */
export interface PrincipalRevocation {
  userId?: string;
  apiKeyId?: string;
  reason: 'user_changed' | 'api_key_revoked' | 'oauth_app_revoked';
  /** The outbox event that caused it. */
  eventId: number;
}

/** Whether a revocation concerns this principal (a user's keys are concerned by the user's changes). */
export function revocationAffects(
  r: PrincipalRevocation,
  p: Pick<Principal, 'userId' | 'apiKeyId'>,
): boolean {
  if (r.apiKeyId) return p.apiKeyId === r.apiKeyId;
  return !!r.userId && p.userId === r.userId;
}

/** Turns an outbox event into a revocation, or null when it takes nothing away. */
export function revocationOf(e: ChangeEvent): PrincipalRevocation | null {
  if (e.topic !== 'users') return null;
  if (e.event === REVOCATION_EVENTS.apiKeyRevoked)
    return { apiKeyId: e.entityId, userId: undefined, reason: 'api_key_revoked', eventId: e.id };
  if (e.event === REVOCATION_EVENTS.userUpdated)
    return { userId: e.entityId, reason: 'user_changed', eventId: e.id };
  // Live streams of the user are re-authenticated: those holding the app's tokens are refused.
  if (e.event === REVOCATION_EVENTS.oauthAppRevoked)
    return { userId: e.entityId, reason: 'oauth_app_revoked', eventId: e.id };
  return null;
}

/**
 * The hook that doors with long-lived streams (WebSocket `/events`, MCP sessions) and
 * principal caches subscribe to, so that revoking a key, deactivating a user or changing their
 * password or role reaches them within seconds on every instance.
 *
 * ```ts
 * constructor(revocations: PrincipalRevocations) {
 *   this.sub = revocations.changes$.subscribe((r) => { ... });   // or revocations.subscribe(fn)
 * }
 * ```
 */
@Injectable()
export class PrincipalRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PrincipalRevocations');
  private readonly subject = new Subject<PrincipalRevocation>();
  private unsubscribe: (() => void) | null = null;
  readonly changes$: Observable<PrincipalRevocation> = this.subject.asObservable();

  constructor(private readonly bus: EventBus) {}

  /** Calls `listener` for each revocation; returns the unsubscribe function. */
  subscribe(listener: (r: PrincipalRevocation) => void): () => void {
    const sub = this.subject.subscribe({
      next: (r) => {
        try {
          listener(r);
        } catch (e) {
          this.logger.error(`revocation listener failed: ${(e as Error).message}`);
        }
      },
    });
    return () => sub.unsubscribe();
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((e) => {
      const r = revocationOf(e);
      if (r) this.subject.next(r);
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.subject.complete();
  }
}
