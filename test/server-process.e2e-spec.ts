import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
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

async function waitReady(url: string, running: Running, timeoutMs = 240_000): Promise<void> {
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

/** One request through `agent` (keep-alive: the same socket each time). */
function get(
  agent: http.Agent,
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
        );
      })
      .on('error', reject);
  });
}

async function until(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
    const login = await api(url).post('/api/v1/auth/login', {
      email: 'admin@localhost',
      password: password ?? '',
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken;
    const created = await api(url, token).post('/api/v1/users', {
      email: 'persist@example.test',
      name: 'P',
      role: 'viewer',
    });
    expect(created.status).toBe(201);

    // Draining: a request still in flight (a body not yet sent) keeps the process answering; a
    // readiness probe on an open keep-alive connection now gets 503 naming the server, so a
    // load balancer stops sending, and the request in flight still gets its answer.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(agent, `${url}/health/ready`)).status).toBe(200);
    let slowStatus = 0;
    const slow = http.request(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    });
    const slowDone = new Promise<void>((resolve, reject) => {
      slow.on('response', (res) => {
        slowStatus = res.statusCode!;
        res.resume().on('end', resolve);
      });
      slow.on('error', reject);
    });
    slow.write('{"email":"admin@localhost",');
    slow.flushHeaders();
    await new Promise((r) => setTimeout(r, 200));
    first.child.kill('SIGTERM');
    await until(() => first.output().includes('SIGTERM: shutting down'), 'the drain to start');
    const draining = await get(agent, `${url}/health/ready`);
    expect(draining.status).toBe(503);
    expect(draining.headers.connection).toBe('close');
    expect(draining.body.status).toBe('error');
    expect(draining.body.details.server.status).toBe('down');
    expect(draining.body.details.database.status).toBe('up');
    slow.end('"password":"not-the-password"}');
    await slowDone;
    expect(slowStatus).toBe(401);
    agent.destroy();
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
  }, 600_000);
  it('refuses a second process on the same embedded DATA_DIR; after kill -9 mid-writes it restarts at once with every acknowledged write', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-lock-'));
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const admin = { ADMIN_EMAIL: 'kill9@example.test', ADMIN_PASSWORD: 'Kill-nine-durability-42' };
    const first = startServer(baseEnv({ DATA_DIR: dataDir, PORT: String(port), ...admin }));
    await waitReady(url, first);

    const second = spawnSync(process.execPath, [runner, mainTs], {
      cwd: root,
      env: baseEnv({ DATA_DIR: dataDir, PORT: String(freePort()) }),
      encoding: 'utf8',
      // Compiling main.ts on load takes over a minute on a loaded 2-core box; a kill by this
      // timeout would leave no line to check.
      timeout: 240_000,
    });
    expect(second.signal).toBeNull();
    expect(second.status).not.toBe(0);
    const lines = second.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('context-desk'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATA_DIR');
    expect(lines[0]).toContain(`pid ${first.child.pid}`);

    // Writes keep coming when the process is killed: every one that was answered 201 must be
    // there after the restart (the embedded database's commits reach the files before the answer).
    const login = await api(url).post('/api/v1/auth/login', {
      email: admin.ADMIN_EMAIL,
      password: admin.ADMIN_PASSWORD,
    });
    const client = api(url, login.body.accessToken);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const r = await client
          .post('/api/v1/users', { email: `w${w}-${i}@example.test`, name: `W ${w} ${i}`, role: 'viewer' })
          .catch(() => null);
        if (r?.status === 201) acknowledged.push(r.body.id);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await until(() => acknowledged.length >= 40, '40 acknowledged writes', 120_000);
    first.child.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(writers);
    const third = startServer(baseEnv({ DATA_DIR: dataDir, PORT: String(port) }));
    await waitReady(url, third);
    const relogin = await api(url).post('/api/v1/auth/login', {
      email: admin.ADMIN_EMAIL,
      password: admin.ADMIN_PASSWORD,
    });
    const after = api(url, relogin.body.accessToken);
    const missing: string[] = [];
    for (const id of acknowledged)
      if ((await after.get(`/api/v1/users/${id}`)).status !== 200) missing.push(id);
    expect(missing).toEqual([]);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 600_000);
});
