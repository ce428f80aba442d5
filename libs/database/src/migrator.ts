import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDriver } from './sql-driver';

/** Same key on every instance: only one process applies migrations at a time. */
const MIGRATION_LOCK_KEY = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** Reads prisma/migrations/<timestamp>_<name>/migration.sql in name order. */
export function readMigrations(dir: string): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name, 'migration.sql'));
      return {
        name,
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
}

/** Locates prisma/migrations both from sources (ts-node, Jest) and from dist/. */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('prisma/migrations not found');
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations, speaking Prisma's own `_prisma_migrations` table so that
 * `prisma migrate status/deploy` on a machine with Prisma's engines sees the same state.
 * Each file runs as one script inside a transaction; a failure rolls it back and is recorded.
 */
export async function applyMigrations(driver: SqlDriver, files: MigrationFile[]): Promise<MigrationResult> {
  return driver.withConnection(async (conn) => {
    const lock = driver.kind === 'postgres';
    if (lock) await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.exec(CREATE_TABLE);
      const rows = await conn.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations"
          WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      const applied: string[] = [];
      for (const file of files) {
        const previous = done.get(file.name);
        if (previous !== undefined) {
          if (previous !== file.checksum) {
            throw new Error(`migration ${file.name} was modified after it was applied (checksum mismatch)`);
          }
          continue;
        }
        const id = randomUUID();
        await conn.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [id, file.checksum, file.name],
        );
        try {
          await conn.exec(`BEGIN;\n${file.sql}\n;COMMIT;`);
        } catch (e) {
          await conn.exec('ROLLBACK').catch(() => undefined);
          await conn.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [
            id,
            (e as Error).message,
          ]);
          throw new Error(`migration ${file.name} failed: ${(e as Error).message}`);
        }
        await conn.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        applied.push(file.name);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      if (lock) await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
