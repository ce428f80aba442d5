import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

// The web admin's API types (apps/admin/src/lib/api-schema.d.ts) are generated from the server's
// OpenAPI document by openapi-typescript; this fails when a DTO changed and nobody regenerated
// them (fix: `npm run admin:api-types`). `npm run typecheck` then type-checks the admin against them.
describe('admin API types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  it('match the OpenAPI document the server serves', () => {
    const root = path.join(__dirname, '..');
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'scripts/admin-api-types.mjs'), '--check', '--url', t.baseUrl],
      { cwd: root, encoding: 'utf8' },
    );
    expect({ status: r.status, output: r.status === 0 ? '' : `${r.stdout}${r.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  }, 60_000);
});
