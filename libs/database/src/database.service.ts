import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { tracingEnabled } from '@app/core';
import { Prisma, PrismaClient } from './generated/prisma/client';
import { applyMigrations, defaultMigrationsDir, readMigrations, type MigrationResult } from './migrator';
import { openDriver, PgDriver, PgliteDriver, type SqlDriver } from './sql-driver';
import { traced } from './traced-adapter';

const TX_ATTEMPTS = 3;

/** Postgres aborted the transaction for a serialization failure or a deadlock (safe to re-run). */
export function isWriteConflict(e: unknown): boolean {
  for (let cur = e as Record<string, unknown> | undefined, i = 0; cur && i < 5; i++) {
    const code = cur.code ?? cur.originalCode;
    if (code === 'P2034' || code === '40001' || code === '40P01') return true;
    if (cur.kind === 'TransactionWriteConflict') return true;
    const meta = cur.meta as { driverAdapterError?: unknown } | undefined;
    cur = (meta?.driverAdapterError ?? cur.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/** Migrations may run long: on Postgres they get their own connection without statement timeouts. */
async function migrate(driver: SqlDriver): Promise<MigrationResult> {
  const files = readMigrations(defaultMigrationsDir());
  if (!(driver instanceof PgDriver)) return applyMigrations(driver, files);
  const own = await openDriver(
    { kind: 'postgres', url: String(driver.pool.options.connectionString) },
    { pool: { size: 1 }, timeouts: false },
  );
  try {
    return await applyMigrations(own, files);
  } finally {
    await own.close();
  }
}

/** A transaction client: what domain helpers receive as their optional `tx`. */
export type Tx = Prisma.TransactionClient;

/**
 * Owns the database connection: the raw driver (migrations, health) and the Prisma client
 * over it (PGlite in embedded mode, pg in services mode). Domain services inject this.
 */
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private closed = false;
  private readonly commitListeners = new Set<() => void>();

  private constructor(
    readonly driver: SqlDriver,
    readonly prisma: PrismaClient,
    readonly migrations: MigrationResult,
  ) {}

  /** Opens the database, applies pending migrations, and builds the Prisma client. */
  static async connect(
    config: Pick<AppConfig, 'database'> & Partial<Pick<AppConfig, 'dbPool'>>,
    opts: { migrate?: boolean } = {},
  ) {
    const opened = await openDriver(config.database, { pool: config.dbPool });
    const driver = tracingEnabled() ? traced(opened, opened.kind) : opened;
    try {
      const migrations = opts.migrate === false ? { applied: [], alreadyApplied: 0 } : await migrate(opened);
      const raw =
        opened instanceof PgDriver
          ? new PrismaPg(opened.pool)
          : new PrismaPGlite((opened as PgliteDriver).db);
      const adapter = tracingEnabled() ? traced(raw, opened.kind) : raw;
      const prisma = new PrismaClient({ adapter });
      return new DatabaseService(driver, prisma, migrations);
    } catch (e) {
      await opened.close().catch(() => undefined);
      throw e;
    }
  }

  get kind(): 'postgres' | 'pglite' {
    return this.driver.kind;
  }

  /**
   * Runs fn in one transaction. Domain writes (row change, version bump, outbox event, audit
   * entry) all go through here so they commit or roll back together.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.prisma.$transaction(fn, {
          timeout: opts.timeoutMs ?? 15000,
          maxWait: 10000,
        });
        for (const listener of this.commitListeners) listener();
        return result;
      } catch (e) {
        // A serialization failure or deadlock rolled everything back: running fn again is safe.
        if (attempt >= TX_ATTEMPTS || !isWriteConflict(e)) throw e;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * Called after every committed {@link transaction} (the event bus uses it to fan out new
   * outbox rows at once instead of at its next poll). Returns the function that unregisters it.
   */
  afterCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Answers or fails within `timeoutMs` (also when the server is frozen). */
  async ping(timeoutMs = 1500): Promise<void> {
    if (this.driver instanceof PgDriver) {
      // `query_timeout` per query is supported by pg but missing from its QueryConfig type.
      await this.driver.pool.query({ text: 'select 1', query_timeout: timeoutMs } as { text: string });
      return;
    }
    await this.driver.query('select 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.prisma
      .$disconnect()
      .catch((e) => this.logger.warn(`prisma disconnect: ${(e as Error).message}`));
    await this.driver.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
