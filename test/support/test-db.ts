import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, defaultMigrationsDir, openDriver, readMigrations } from '@app/database';

/**
 * Tests run on in-memory PGlite by default. When TEST_DATABASE_URL is set (CI), each test app
 * gets its own throw-away Postgres database, created here and dropped on close, so reruns and
 * parallel Jest workers never see each other's data.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(baseUrl: string): Promise<ThrowawayDatabase> {
  const name = `cdt_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A migrated embedded data directory, made once per set of migrations and PGlite version and
 * kept in the temp directory. A fresh in-memory PGlite spends seconds of CPU in initdb before
 * the first migration; opening a copy of an initialised directory takes a fraction of that,
 * and the app still runs its own migration step on it (finding them all applied). Concurrent
 * Jest workers may race to make it: each builds its own and renames it into place atomically.
 */
async function pgliteTemplate(): Promise<string> {
  const migrations = readMigrations(defaultMigrationsDir());
  const key = createHash('sha256')
    .update(readFileSync(join(__dirname, '../../node_modules/@electric-sql/pglite/package.json')))
    .update(JSON.stringify(migrations))
    .digest('hex')
    .slice(0, 16);
  const template = join(tmpdir(), `context-desk-test-pglite-${key}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(join(tmpdir(), 'context-desk-test-pglite-building-'));
  const driver = await openDriver({ kind: 'pglite', dataDir: building });
  try {
    await applyMigrations(driver, migrations);
  } finally {
    await driver.close();
  }
  try {
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another worker got there first
  }
  return template;
}

/**
 * Environment for the database under test: a throw-away Postgres database, or a private copy
 * of the migrated embedded data directory (removed on drop).
 */
export async function testDatabaseEnv(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) {
    const template = await pgliteTemplate();
    const dir = mkdtempSync(join(tmpdir(), 'context-desk-test-'));
    cpSync(template, dir, { recursive: true });
    return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createThrowawayDatabase(TEST_DATABASE_URL);
  return { env: { DATABASE_URL: db.url }, drop: db.drop };
}
