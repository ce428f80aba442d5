// What `npm run conformance` and `npm run inspector` share: pinned outside tools installed from the
// npm registry into a cache directory, and a local server (in-memory database) signed in as admin.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * Installs `packages` (pinned specs) into `dir` unless every file in `needs` is already there;
 * exits the process with `failure` when npm cannot.
 */
export function installPinned({ label, dir, packages, needs, npmArgs = [], failure }) {
  if (needs.every((f) => existsSync(f))) return;
  console.log(`installing ${packages.join(' and ')} into ${path.relative(root, dir)}`);
  mkdirSync(dir, { recursive: true });
  const install = spawnSync(
    'npm',
    ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', ...npmArgs, ...packages],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) {
    console.error(`${label}: ${failure}`);
    process.exit(1);
  }
}

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? m : Math.max(m, newest(p));
    return e.name.endsWith('.ts') ? Math.max(m, statSync(p).mtimeMs) : m;
  }, 0);

/**
 * Starts the server on `port` (the build in dist/ when it is newer than every source file, else
 * the TypeScript sources) with an in-memory database and `admin` as its bootstrap admin, waits for
 * /health/live and signs in. Exits the process when the server does not start. The server is
 * stopped when this process exits, or earlier by `stop()`.
 */
export async function startLocalServer({ label, port, admin, env = {} }) {
  const built = path.join(root, 'dist/apps/server/src/main.js');
  const fresh =
    existsSync(built) &&
    statSync(built).mtimeMs >
      Math.max(newest(path.join(root, 'libs')), newest(path.join(root, 'apps/server/src')));
  const entry = fresh ? [built] : [path.join(root, 'bench/run.js'), 'apps/server/src/main.ts'];
  const server = spawn(process.execPath, entry, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => server.exitCode === null && server.kill('SIGTERM');
  process.on('exit', stop);

  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health/live`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 2400 || server.exitCode !== null) {
      console.error(`${label}: the server did not start`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(admin),
  });
  const { accessToken } = await login.json();
  return { base, accessToken, stop };
}
