#!/usr/bin/env node
// First load of the web admin, against a baseline built in the same run:
//
//   node bench/admin-load.mjs [--base <git ref>] [--runs 7] [--url http://127.0.0.1:3000]
//
// Builds the admin of <base> (default d2dda46^, the admin the issue-13 walk measured: 92.7 KB /
// 260 ms) into a temporary directory, then loads the dashboard cold in Chromium, alternating
// baseline and current build, with the files of each build served by route interception and
// the API (and WebSocket) of one real server. Reports the gzip bytes of the JS/CSS a first
// load fetches, and time to interactive (navigation start → dashboard counts filled in):
// medians and the ratio current/baseline. Needs the current build (npm run build:admin) and
// /usr/bin/chromium (or CHROMIUM_PATH). Without --url it starts the server itself (embedded).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const base = arg('base', 'd2dda46^');
const runs = Number(arg('runs', '7'));
const email = 'admin@example.test';
const password = 'admin-password-for-bench';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function buildBaseline(ref) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'admin-base-'));
  const tar = execFileSync('git', ['-C', root, 'archive', '--format=tar', ref, 'apps/admin'], {
    maxBuffer: 64 << 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const vite = path.join(
    path.dirname(fileURLToPath(import.meta.resolve('vite/package.json'))),
    'bin',
    'vite.js',
  );
  execFileSync(
    process.execPath,
    [vite, 'build', '--config', path.join(dir, 'apps/admin/vite.config.ts'), '--logLevel', 'error'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  return { dir, dist: path.join(dir, 'apps/admin/dist') };
}

async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'admin-bench-data-'));
  const child = spawn(
    process.execPath,
    [path.join(root, 'bench/run.js'), path.join(root, 'apps/server/src/main.ts')],
    {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD: password,
        JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { url, stop: () => child.kill(), dataDir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error('the server did not become ready');
}

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

/** One cold load of the dashboard with the admin files of `dist`; returns bytes and time to interactive. */
async function load(browser, url, dist, session) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(
    (s) => localStorage.setItem('context-desk.session', s),
    JSON.stringify(session),
  );
  let gzipBytes = 0;
  await context.route('**/admin/**', (route) => {
    const { pathname } = new URL(route.request().url());
    const rel = pathname.replace(/^\/admin\/?/, '');
    const file =
      rel && existsSync(path.join(dist, rel)) ? path.join(dist, rel) : path.join(dist, 'index.html');
    const body = readFileSync(file);
    const ext = path.extname(file);
    if (ext === '.js' || ext === '.css') gzipBytes += gzipSync(body).length;
    return route.fulfill({ status: 200, body, contentType: TYPES[ext] ?? 'application/octet-stream' });
  });
  const page = await context.newPage();
  await page.goto(`${url}/admin/`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="dashboard-counts"]')?.getAttribute('aria-busy') === 'false',
    undefined,
    { timeout: 60_000 },
  );
  const tti = await page.evaluate(() => performance.now());
  await context.close();
  return { gzipBytes, tti };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const current = path.join(root, 'apps/admin/dist');
  if (!existsSync(path.join(current, 'index.html')))
    throw new Error('build the admin first: npm run build:admin');
  console.log(`building the baseline admin (${base})…`);
  const baseline = buildBaseline(base);
  const given = arg('url');
  const server = given ? { url: given.replace(/\/$/, ''), stop: () => {} } : await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: arg('email', email), password: arg('password', password) }),
    }).then((r) => r.json());
    const session = { token: login.accessToken, expiresAt: Date.now() + 3600_000 };
    const results = { baseline: [], current: [] };
    // One warm-up load each (server caches, Chromium start-up), then alternate.
    await load(browser, server.url, baseline.dist, session);
    await load(browser, server.url, current, session);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? ['current', 'baseline'] : ['baseline', 'current'];
      for (const name of order)
        results[name].push(
          await load(browser, server.url, name === 'current' ? current : baseline.dist, session),
        );
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, rs]) => [
        name,
        {
          gzipKB: median(rs.map((r) => r.gzipBytes)) / 1000,
          ttiMs: Math.round(median(rs.map((r) => r.tti))),
        },
      ]),
    );
    console.log(
      `admin first load, ${runs} alternating cold loads each (medians), load average ${os.loadavg()[0].toFixed(1)}:`,
    );
    for (const [name, s] of Object.entries(summary))
      console.log(
        `  ${name.padEnd(8)}  ${s.gzipKB.toFixed(1)} KB gzip JS+CSS   time to interactive ${s.ttiMs} ms`,
      );
    console.log(
      `  ratio     bytes ×${(summary.current.gzipKB / summary.baseline.gzipKB).toFixed(3)}   time to interactive ×${(summary.current.ttiMs / summary.baseline.ttiMs).toFixed(3)}`,
    );
  } finally {
    await browser.close();
    server.stop();
    rmSync(baseline.dir, { recursive: true, force: true });
    if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
  }
}

await main();
