// Prints the server's OpenAPI document as JSON on stdout, built from the real Nest app on an
// in-memory database (no listening socket, no files): `node bench/run.js scripts/openapi-json.ts`.
import { loadConfig } from '@app/config';
import { createServerApp } from '../apps/server/src/bootstrap';
import { buildOpenApi } from '../apps/server/src/openapi';

async function main(): Promise<void> {
  const config = loadConfig({
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    JWT_SECRET: 'openapi-document-only-secret-not-used-for-signing',
    ADMIN_EMAIL: 'admin@localhost',
    ADMIN_PASSWORD: 'openapi-document-only-password',
  });
  const app = await createServerApp(config);
  const document = buildOpenApi(app, config);
  await app.close();
  process.stdout.write(JSON.stringify(document));
}

main().catch((err) => {
  console.error(`openapi-json: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
