import { createHash } from 'node:crypto';
import type { Tx } from '@app/database';
import { actorLabel, type Channel, type Principal } from '@app/core';
import type { AuditAction } from './audit-actions';

export type AuditOutcome = 'success' | 'error' | 'denied';

export interface AuditEntry {
  actor: Principal | null;
  /** Overrides actor.channel (e.g. a failed login has no principal). */
  channel?: Channel;
  action: AuditAction;
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

/** One INSERT of several audit rows (unnest of column arrays): the same rows as writeAudit each. */
export function auditInsert(entries: readonly AuditEntry[]): { sql: string; params: unknown[] } {
  const rows = entries.map(auditRow);
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  return {
    sql: `INSERT INTO audit_log (actor_type, actor_id, actor_label, channel, action, target_type, target_id,
                            outcome, detail, args_hash, duration_ms)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::text[], $11::int[])`,
    params: [
      col('actorType'),
      col('actorId'),
      col('actorLabel'),
      col('channel'),
      col('action'),
      col('targetType'),
      col('targetId'),
      col('outcome'),
      col('detail'),
      col('argsHash'),
      col('durationMs'),
    ],
  };
}

/** Writes several audit rows in one statement, in a transaction (bulk writes). */
export async function writeAudits(
  client: Pick<Tx, '$executeRawUnsafe'>,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (!entries.length) return;
  const { sql, params } = auditInsert(entries);
  await client.$executeRawUnsafe(sql, ...params);
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
