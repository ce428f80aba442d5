import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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

/** Environment for the database under test: a throw-away Postgres database or in-memory PGlite. */
export async function testDatabaseEnv(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (!TEST_DATABASE_URL) return { env: { DATA_DIR: 'memory://' }, drop: async () => undefined };
  const db = await createThrowawayDatabase(TEST_DATABASE_URL);
  return { env: { DATABASE_URL: db.url }, drop: db.drop };
}
