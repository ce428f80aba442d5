import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adminDistDir } from '../apps/server/src/admin-ui.controller';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

// The web admin in a real browser (Debian chromium driven by playwright-core) against the real
// app. Needs the built admin (npm run build) and chromium (.ci/run installs both); on a machine
// without them the suite is skipped with a note instead of failing.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [
  !fs.existsSync(chromium) && `chromium (${chromium})`,
  !adminDistDir() && 'the built admin (npm run build)',
].filter(Boolean);
const suite = missing.length ? describe.skip : describe;
if (missing.length) console.warn(`browser tests skipped: missing ${missing.join(' and ')}`);

suite('web admin in a real browser', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('passes every admin scenario with no console errors', async () => {
    const script = path.join(__dirname, 'browser', 'run.mjs');
    const child = spawn(process.execPath, [script], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, ADMIN_URL: t.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD, CHROMIUM_PATH: chromium },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The summary (scenarios, time to interactive, screenshots) goes to the CI log.
    console.log(output.split('\n').slice(-25).join('\n'));
    expect({ code, output: code === 0 ? 'ok' : output }).toEqual({ code: 0, output: 'ok' });
  }, 300_000);
});
