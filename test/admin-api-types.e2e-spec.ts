import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

// The web admin's API types (apps/admin/src/lib/api-schema.d.ts) are generated from the server's
// OpenAPI document by openapi-typescript; this fails when a DTO changed and nobody regenerated
// them (fix: `npm run admin:api-types`). `npm run typecheck` then type-checks the admin against them.
describe('admin API types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 300_000);
  afterAll(() => t?.close());

  it('match the OpenAPI document the server serves', async () => {
    const root = path.join(__dirname, '..');
    // Asynchronously: the server answering the script lives in this process.
    const r = await promisify(execFile)(
      process.execPath,
      [path.join(root, 'scripts/admin-api-types.mjs'), '--check', '--url', t.baseUrl],
      { cwd: root, encoding: 'utf8' },
    ).then(
      () => ({ status: 0, stdout: '', stderr: '' }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        status: err.code ?? 1,
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      }),
    );
    expect({ status: r.status, output: r.status === 0 ? '' : `${r.stdout}${r.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  }, 300_000);
});
