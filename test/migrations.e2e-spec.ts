import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyMigrations, openDriver, readMigrations, type MigrationFile } from '@app/database';
import { TEST_DATABASE_URL, createThrowawayDatabase } from './support/test-db';

const root = path.join(__dirname, '..');
const migrationsDir = path.join(root, 'prisma', 'migrations');

describe('migrations', () => {
  it('prisma/schema.prisma and prisma/migrations agree (schema engine diff is empty)', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'db-diff.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('match');
  });

  it('applies once, then finds nothing to do; a persisted embedded database keeps its data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-mig-'));
    const target = { kind: 'pglite' as const, dataDir };
    const files = readMigrations(migrationsDir);
    let driver = await openDriver(target);
    const first = await applyMigrations(driver, files);
    expect(first.applied).toEqual(files.map((f) => f.name));
    await driver.query(
      `INSERT INTO "user" (id, email, name) VALUES (gen_random_uuid(), 'keep@example.test', 'Keep')`,
    );
    await driver.close();

    driver = await openDriver(target);
    const second = await applyMigrations(driver, files);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(files.length);
    const rows = await driver.query<{ email: string }>(`SELECT email FROM "user"`);
    expect(rows.map((r) => r.email)).toEqual(['keep@example.test']);
    await driver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a migration file changed after it was applied', async () => {
    const driver = await openDriver({ kind: 'pglite', dataDir: null });
    const files = readMigrations(migrationsDir);
    await applyMigrations(driver, files);
    const tampered: MigrationFile[] = files.map((f, i) => (i === 0 ? { ...f, checksum: '0'.repeat(64) } : f));
    await expect(applyMigrations(driver, tampered)).rejects.toThrow(/checksum mismatch/);
    await driver.close();
  });

  it('rolls back a failing migration completely and records nothing as applied', async () => {
    const driver = await openDriver({ kind: 'pglite', dataDir: null });
    const bad: MigrationFile = {
      name: '29990101000000_bad',
      sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;',
      checksum: 'f'.repeat(64),
    };
    await expect(applyMigrations(driver, [bad])).rejects.toThrow(/29990101000000_bad failed/);
    const tables = await driver.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`);
    expect(tables).toHaveLength(0);
    const done = await driver.query(`SELECT 1 FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(done).toHaveLength(0);
    await driver.close();
  });

  (TEST_DATABASE_URL ? it : it.skip)(
    'applies on Postgres with the advisory lock, concurrently from two connections',
    async () => {
      const db = await createThrowawayDatabase(TEST_DATABASE_URL!);
      const files = readMigrations(migrationsDir);
      const a = await openDriver({ kind: 'postgres', url: db.url });
      const b = await openDriver({ kind: 'postgres', url: db.url });
      try {
        const [ra, rb] = await Promise.all([applyMigrations(a, files), applyMigrations(b, files)]);
        expect([...ra.applied, ...rb.applied].sort()).toEqual(files.map((f) => f.name));
        const rows = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
        expect(rows[0].n).toBe(files.length);
      } finally {
        await a.close();
        await b.close();
        await db.drop();
      }
    },
  );
});
