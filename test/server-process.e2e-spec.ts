import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { api } from './support/http';

// The real entry point (apps/server/src/main.ts) in a child process, compiled on load by the
// same SWC hook the benchmarks use, so this works before `npm run build` too.
const root = path.join(__dirname, '..');
const runner = path.join(root, 'bench', 'run.js');
const mainTs = path.join(root, 'apps', 'server', 'src', 'main.ts');

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    ...extra,
  };
  return env;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [runner, mainTs], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(url: string, running: Running, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`server exited early:\n${running.output()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready in time:\n${running.output()}`);
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000);

describe('server process (main.ts)', () => {
  it('stops with one line naming the variable on bad configuration', () => {
    for (const [name, value] of [
      ['DATABASE_URL', 'not-a-url'],
      ['LOG_LEVEL', 'chatty'],
      ['PORT', 'x'],
    ]) {
      const r = spawnSync(process.execPath, [runner, mainTs], {
        cwd: root,
        env: baseEnv({ [name]: value }),
        encoding: 'utf8',
      });
      expect(r.status).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
    }
  });

  it('stops with one line when the database is unreachable', () => {
    const r = spawnSync(process.execPath, [runner, mainTs], {
      cwd: root,
      env: baseEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nothing', PORT: String(freePort()) }),
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });

  it('starts embedded, shuts down on SIGTERM, and restarts on the same data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-proc-'));
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = baseEnv({ DATA_DIR: dataDir, PORT: String(port) });

    const first = startServer(env);
    await waitReady(url, first);
    const password = /password: (\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    expect(first.output()).toContain('admin@localhost');
    const login = await api(url).post('/api/v1/auth/login', { email: 'admin@localhost', password });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    const created = await api(url, token).post('/api/v1/users', {
      email: 'persist@example.test',
      name: 'P',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startServer(env);
    await waitReady(url, second);
    // No new admin (no password printed) and the JWT secret kept in DATA_DIR still verifies the old token.
    expect(second.output()).not.toMatch(/password: /);
    const user = await api(url, token).get(`/api/v1/users/${created.body.id}`);
    expect(user.status).toBe(200);
    expect(user.body.email).toBe('persist@example.test');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
  it('refuses a second process on the same embedded DATA_DIR, and restarts at once after kill -9', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-lock-'));
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = startServer(baseEnv({ DATA_DIR: dataDir, PORT: String(port) }));
    await waitReady(url, first);

    const second = spawnSync(process.execPath, [runner, mainTs], {
      cwd: root,
      env: baseEnv({ DATA_DIR: dataDir, PORT: String(freePort()) }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).not.toBe(0);
    const lines = second.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('context-desk'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATA_DIR');
    expect(lines[0]).toContain(`pid ${first.child.pid}`);

    first.child.kill('SIGKILL');
    await first.exited;
    const third = startServer(baseEnv({ DATA_DIR: dataDir, PORT: String(port) }));
    await waitReady(url, third);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
