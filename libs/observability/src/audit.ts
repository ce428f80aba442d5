import { createHash } from 'node:crypto';
import type { Tx } from '@app/database';
import { actorLabel, type Channel, type Principal } from '@app/core';

export type AuditOutcome = 'success' | 'error' | 'denied';

export interface AuditEntry {
  actor: Principal | null;
  /** Overrides actor.channel (e.g. a failed login has no principal). */
  channel?: Channel;
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome: AuditOutcome;
  detail?: string;
  /** Hash of the call's arguments (never the arguments in clear). */
  argsHash?: string;
  durationMs?: number;
}

type AuditClient = Pick<Tx, 'auditLog'>;

/** The audit_log row for an entry (also used for multi-row inserts). */
export function auditRow(e: AuditEntry) {
  return {
    actorType: e.actor?.kind ?? 'anonymous',
    actorId: e.actor?.userId ?? null,
    actorLabel: e.actor ? actorLabel(e.actor) : null,
    channel: e.channel ?? e.actor?.channel ?? 'system',
    action: e.action,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    outcome: e.outcome,
    detail: e.detail?.slice(0, 1000) ?? null,
    argsHash: e.argsHash ?? null,
    durationMs: e.durationMs === undefined ? null : Math.round(e.durationMs),
  };
}

/** Writes one audit row; pass the transaction client to commit it with the change it records. */
export async function writeAudit(client: AuditClient, e: AuditEntry): Promise<void> {
  await client.auditLog.create({ data: auditRow(e) });
}

/** Stable SHA-256 of a JSON value (keys sorted), for audit entries that must not store arguments. */
export function hashArgs(value: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(stable)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(stable(value)) ?? 'undefined')
    .digest('hex');
}
