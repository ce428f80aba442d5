/**
 * "Try again later": the database or Redis is down, frozen or saturated (no pool connection in
 * time, a statement timeout, a connection refused or reset). Every door maps it the same way:
 * REST 503 problem+json with `Retry-After`, MCP a tool error / JSON-RPC error saying to retry,
 * WebSocket an error frame. Never a 500.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  constructor(
    message: string,
    /** Seconds a client should wait before retrying. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** SQLSTATE classes and codes that mean "the database cannot serve this now". */
const PG_UNAVAILABLE = /^(08|53|57P0[1-5])|^57014$|^25P03$|^55P03$/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/** Prisma's codes for "cannot reach / timed out / pool or transaction slot not obtained". */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Driver-adapter error kinds (Prisma 7 `DriverAdapterError.cause.kind`). */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
const MESSAGES = [
  /timeout exceeded when trying to connect/i, // pg-pool: no connection within connectionTimeoutMillis
  /Connection terminated/i, // pg: server went away / connect timeout
  /Query read timeout/i, // pg: query_timeout (frozen server)
  /Client has encountered a connection error/i,
  /Connection is closed/i, // ioredis
  /Reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
  /Unable to start a transaction in the given time/i, // Prisma maxWait
  /Transaction already closed/i,
  /canceling statement due to statement timeout/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Cannot use a pool after calling end/i,
  /PGlite is closed/i,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: unknown;
  kind?: unknown;
  originalCode?: unknown;
}

/**
 * True when `e` (or an error it wraps) says the database or Redis is unavailable or saturated,
 * as opposed to a bug or a bad request. Duck-typed (pg, pg-pool, Prisma, driver adapters,
 * ioredis), so every door can use it without depending on those packages.
 */
export function isUnavailableError(e: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6 && !seen.has(cur); depth++) {
    seen.add(cur);
    const err = cur as ErrorLike;
    if (err instanceof UnavailableError || err.name === 'UnavailableError') return true;
    if (err.name === 'DatabaseUnavailableError' || err.name === 'MaxRetriesPerRequestError') return true;
    for (const code of [err.code, err.originalCode]) {
      if (typeof code !== 'string') continue;
      if (SOCKET_CODES.has(code) || PRISMA_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE.test(code)) return true;
    }
    if (typeof err.kind === 'string' && ADAPTER_KINDS.has(err.kind)) return true;
    if (typeof err.kind === 'string' && err.kind === 'postgres' && typeof err.code === 'string') {
      if (PG_UNAVAILABLE.test(err.code)) return true;
    }
    if (typeof err.message === 'string' && MESSAGES.some((m) => m.test(err.message as string))) return true;
    const meta = err.meta as { driverAdapterError?: unknown } | undefined;
    cur = meta?.driverAdapterError ?? err.cause;
  }
  return false;
}

/** How long to tell a client to wait: short for a saturated pool, longer for an outage. */
export function retryAfterSeconds(e: unknown): number {
  if (e instanceof UnavailableError) return e.retryAfterSeconds;
  const text = String((e as { message?: unknown })?.message ?? '');
  return /timeout exceeded when trying to connect|Unable to start a transaction|statement timeout/i.test(text)
    ? 1
    : 5;
}
