import { secureDataDir } from './data-dir';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import type { DatabaseTarget, DbPoolSettings } from '@app/config';
import { UnavailableError } from '@app/core';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { initDataDirInChild, pgliteOptions } from './pglite-options';

/**
 * The smallest SQL surface the project needs outside Prisma: running migration scripts and
 * a few raw statements (health checks, advisory locks). One implementation per engine.
 */
export interface SqlDriver {
  readonly kind: 'postgres' | 'pglite';
  /** Runs a script that may hold several statements (simple query protocol). */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn with one connection held for its whole duration (locks, transactions). */
  withConnection<T>(fn: (conn: Pick<SqlDriver, 'exec' | 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class PgDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  constructor(readonly pool: Pool) {}

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async withConnection<T>(fn: (conn: Pick<SqlDriver, 'exec' | 'query'>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn({
        exec: async (sql) => void (await client.query(sql)),
        query: async <R>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as R[],
      });
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  /** dataDir: tightened again on close (PGlite writes its files 0666; the 0700 directory guards them meanwhile). */
  constructor(
    readonly db: PGlite,
    private readonly unlock: () => Promise<void> = async () => undefined,
    private readonly dataDir: string | null = null,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** PGlite is a single session: every call already shares the one connection. */
  withConnection<T>(fn: (conn: Pick<SqlDriver, 'exec' | 'query'>) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
    await this.unlock();
    if (this.dataDir) secureDataDir(this.dataDir);
  }
}

export const DEFAULT_POOL: DbPoolSettings = {
  size: 10,
  timeoutMs: 5000,
  statementTimeoutMs: 30_000,
  idleInTransactionMs: 60_000,
};

/**
 * Opens the configured database. Fails with a readable message when it cannot be reached.
 *
 * The Postgres pool bounds every wait so that overload and outages surface as errors that
 * {@link isUnavailableError} recognises (then 503), never as requests that hang: waiting for a
 * pooled connection and connecting both give up after `timeoutMs`; the server cancels a
 * statement after `statementTimeoutMs` and ends a session idle in a transaction; and the client
 * gives up on a server that stopped answering (frozen) 2 s after the statement timeout.
 * `timeouts: false` (migrations) keeps only the connect timeout.
 */
export async function openDriver(
  target: DatabaseTarget,
  opts: { pool?: Partial<DbPoolSettings>; timeouts?: boolean } = {},
): Promise<SqlDriver> {
  if (target.kind === 'postgres') {
    const p = { ...DEFAULT_POOL, ...opts.pool };
    const timeouts = opts.timeouts !== false;
    const pool = new Pool({
      connectionString: target.url,
      max: p.size,
      connectionTimeoutMillis: p.timeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      ...(timeouts
        ? {
            statement_timeout: p.statementTimeoutMs,
            idle_in_transaction_session_timeout: p.idleInTransactionMs,
            query_timeout: p.statementTimeoutMs + 2000,
          }
        : {}),
    });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => undefined);
    const driver = new PgDriver(pool);
    try {
      await driver.query('select 1');
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new DatabaseUnavailableError(`cannot connect to DATABASE_URL: ${(e as Error).message}`);
    }
    return driver;
  }
  let unlock: () => Promise<void> = async () => undefined;
  if (target.dataDir) {
    secureDataDir(target.dataDir);
    // One process per data directory: a second server or CLI command stops here.
    unlock = await lockDataDir(target.dataDir).catch((e: Error) => {
      throw e instanceof DataDirLockedError ? e : new DatabaseUnavailableError(`DATA_DIR: ${e.message}`);
    });
  }
  const dir = target.dataDir ? `${target.dataDir}/pgdata` : undefined;
  try {
    if (dir) await initDataDirInChild(dir);
    const driver = new PgliteDriver(await PGlite.create(pgliteOptions(dir)), unlock, target.dataDir);
    if (target.dataDir) secureDataDir(target.dataDir);
    return driver;
  } catch (e) {
    await unlock();
    throw new DatabaseUnavailableError(
      `cannot open the embedded database in ${dir}: ${(e as Error).message}`,
    );
  }
}

export class DatabaseUnavailableError extends UnavailableError {
  override name = 'DatabaseUnavailableError';
}
