import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adminDistDir } from '../apps/server/src/admin-ui.controller';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

// The web admin in a real browser (Debian chromium driven by playwright-core) against the real
// app. Needs the built admin (npm run build) and chromium (.ci/run installs both). In CI (CI set)
// a missing browser or build FAILS the suite; on a developer's bare machine it is skipped with a
// note, so `npm test` still passes there.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [
  !fs.existsSync(chromium) && `chromium (${chromium}; apt-get install -y chromium)`,
  !adminDistDir() && 'the built admin (npm run build)',
].filter(Boolean);
const inCi = !!process.env.CI && process.env.CI !== 'false';
const suite = missing.length && !inCi ? describe.skip : describe;
if (missing.length && !inCi) console.warn(`browser tests skipped: missing ${missing.join(' and ')}`);

suite('web admin in a real browser', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Agents' MCP edits to published articles go to the review queue (the Reviews page).
    t = await startTestApp({ env: { MCP_REVIEW_ROLES: 'agent' } });
  });
  afterAll(() => t?.close());

  it('passes every admin scenario with no console errors', async () => {
    if (missing.length) throw new Error(`browser tests cannot run in CI: missing ${missing.join(' and ')}`);
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
    console.log(output.split('\n').slice(-60).join('\n'));
    expect({ code, output: code === 0 ? 'ok' : output }).toEqual({ code: 0, output: 'ok' });
  }, 900_000);
});
