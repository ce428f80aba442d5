import { InvalidError } from './errors';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export function clampLimit(limit: number | undefined, max = MAX_LIMIT): number {
  if (limit === undefined || limit === null) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidError(`limit must be an integer from 1 to ${max}`, [
      { field: 'limit', message: `must be an integer from 1 to ${max}` },
    ]);
  }
  return limit;
}

/** Cursors are opaque to clients: base64url of a small JSON value (typically the last sort key). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | null | undefined, check: (v: unknown) => v is T): T | null {
  if (!cursor) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value)) {
    throw new InvalidError('cursor is not valid; use the nextCursor value of a previous page', [
      { field: 'cursor', message: 'is not a cursor returned by this list' },
    ]);
  }
  return value;
}

/** Keyset page from rows fetched with `take: limit + 1`. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  cursorOf: (r: R) => unknown,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(cursorOf(pageRows[pageRows.length - 1])) : null,
  };
}
