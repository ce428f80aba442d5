import * as fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import type { DatabaseTarget } from '@app/config';

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
  constructor(readonly db: PGlite) {}

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
  }
}

/** Opens the configured database. Fails with a readable message when it cannot be reached. */
export async function openDriver(
  target: DatabaseTarget,
  opts: { poolSize?: number } = {},
): Promise<SqlDriver> {
  if (target.kind === 'postgres') {
    const pool = new Pool({ connectionString: target.url, max: opts.poolSize ?? 10 });
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
  if (target.dataDir) fs.mkdirSync(target.dataDir, { recursive: true });
  const dir = target.dataDir ? `${target.dataDir}/pgdata` : undefined;
  try {
    return new PgliteDriver(await PGlite.create(dir ? { dataDir: dir } : {}));
  } catch (e) {
    throw new DatabaseUnavailableError(
      `cannot open the embedded database in ${dir}: ${(e as Error).message} (is another process using DATA_DIR?)`,
    );
  }
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
