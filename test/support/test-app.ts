import type { INestApplication } from '@nestjs/common';
import { loadConfig, type AppConfig, type Env } from '@app/config';
import { createServerApp } from '../../apps/server/src/bootstrap';
import { TEST_REDIS_URL, testDatabaseEnv } from './test-db';

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment, e.g. { MCP_MODE: 'stateless' }. */
  env?: Env;
  /** Use TEST_REDIS_URL when it is set (default: embedded in-process mode). */
  redis?: boolean;
  /** Reuse a database environment (two instances sharing one database). */
  database?: { env: Record<string, string>; drop: () => Promise<void> };
}

/** Starts the real server app on a free port with a fresh database. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.database ?? (await testDatabaseEnv());
  const ownsDatabase = !opts.database;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
    // Tests that fire many requests at once must not get 503 because a shared CI machine is
    // slow; admission control itself is tested in apps/server/src/http/admission.spec.ts.
    HTTP_QUEUE_TIMEOUT_MS: '120000',
    ...db.env,
    ...(opts.redis && TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    ...opts.env,
  });
  const app = await createServerApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  // PORT=0: the public URL is known only now; links and OAuth issuers use it like PUBLIC_URL.
  if (!opts.env?.PUBLIC_URL) Object.assign(config, { publicUrl: baseUrl });
  return {
    app,
    config,
    baseUrl,
    async close() {
      await app.close();
      if (ownsDatabase) await db.drop();
    },
  };
}
