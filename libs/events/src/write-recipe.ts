import { isDeepStrictEqual } from 'node:util';
import { VersionConflictError, type Principal } from '@app/core';
import type { Tx } from '@app/database';
import { writeAudit, type AuditAction } from '@app/observability';
import { appendEvent, type Topic } from './outbox';

/**
 * The one write recipe every aggregate (documents, tickets, users) follows, inside one transaction:
 *
 *   read under a lock → versioned update → outbox event → audit entry
 *
 * with one no-op rule: a write that changes nothing returns the record as it is, with no version
 * bump, no event and no audit entry. Invariants that span rows (the last admin) take their lock
 * before reading (see UserRepository.lockAdmins).
 */

export interface Change {
  topic: Topic;
  event: string;
  entityId: string;
  data: object;
  actor: Principal;
  /** The audit entry: action (e.g. `ticket.update`), target and an optional detail. */
  audit: { action: AuditAction; targetType: string; targetId: string; detail?: string };
}

/** Appends the event and the audit entry of a change that happened in `tx`. */
export async function recordChange(tx: Tx, c: Change): Promise<void> {
  await appendEvent(tx, {
    topic: c.topic,
    event: c.event,
    entityId: c.entityId,
    data: c.data,
    actor: c.actor,
  });
  await writeAudit(tx, {
    actor: c.actor,
    action: c.audit.action,
    targetType: c.audit.targetType,
    targetId: c.audit.targetId,
    outcome: 'success',
    detail: c.audit.detail,
  });
}

/** Equal values; a stored Date and an ISO string (a date-time input) compare as instants. */
const same = (stored: unknown, wanted: unknown): boolean =>
  stored instanceof Date && typeof wanted === 'string'
    ? stored.getTime() === Date.parse(wanted)
    : isDeepStrictEqual(stored, wanted);

/** A stored field as a write may give it: a Date also as an ISO string. */
type Wanted<T> = T extends Date ? T | string : T;

/** The fields of `wanted` (undefined = not given) whose value differs from `current`. */
export function changedFields<C extends object, W extends { [K in keyof C]?: Wanted<C[K]> }>(
  current: C,
  wanted: W,
): Partial<W> {
  const out: Partial<W> = {};
  for (const key of Object.keys(wanted) as (keyof W & keyof C)[]) {
    const value = wanted[key];
    if (value !== undefined && !same(current[key], value)) out[key] = value;
  }
  return out;
}

export interface VersionedUpdate<R extends { version: number }, D extends object> {
  entity: string;
  key: string | number;
  /** The record as read under a row lock in this transaction. */
  current: R;
  /** The version the caller based the change on, when it gave one. */
  expectedVersion?: number;
  /**
   * What changes, decided after the version check (from {@link changedFields} plus derived
   * fields, after the rules ran); empty means no-op.
   */
  plan(): D | Promise<D>;
  /** Writes `changes` with the new version and returns the record as stored. */
  save(data: D & { version: number }): Promise<R>;
  /** The event and audit entry for the stored record. */
  change(row: R): Change;
}

/** The recipe for changing an existing record; returns the record and whether it changed. */
export async function versionedUpdate<R extends { version: number }, D extends object>(
  tx: Tx,
  u: VersionedUpdate<R, D>,
): Promise<{ row: R; changed: boolean }> {
  if (u.expectedVersion !== undefined && u.expectedVersion !== u.current.version) {
    throw new VersionConflictError(u.entity, u.key, u.expectedVersion, u.current.version);
  }
  const changes = await u.plan();
  if (Object.keys(changes).length === 0) return { row: u.current, changed: false };
  const row = await u.save({ ...changes, version: u.current.version + 1 });
  await recordChange(tx, u.change(row));
  return { row, changed: true };
}
