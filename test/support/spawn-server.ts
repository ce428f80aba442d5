import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

// The real entry point (apps/server/src/main.ts) in a child process, compiled on load by the
// same transpile hook the benchmarks use, so this works before `npm run build` too.
export const root = path.join(__dirname, '..', '..');
export const runner = path.join(root, 'bench', 'run.js');
export const mainTs = path.join(root, 'apps', 'server', 'src', 'main.ts');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** A minimal environment: only what the server needs, plus `extra`. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...extra };
}

export const freePort = (): number => 20000 + Math.floor(Math.random() * 20000);

export function spawnServer(env: NodeJS.ProcessEnv, port: number): ServerProcess {
  const child = spawn(process.execPath, [runner, mainTs], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

export async function waitReady(s: ServerProcess, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`server exited early:\n${s.output()}`);
    try {
      const res = await fetch(`${s.url}/health/ready`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready in time:\n${s.output()}`);
}

export async function startServer(env: NodeJS.ProcessEnv, port = freePort()): Promise<ServerProcess> {
  const s = spawnServer(env, port);
  await waitReady(s);
  return s;
}

/** SIGKILL: no shutdown hook runs. */
export async function killHard(s: ServerProcess): Promise<void> {
  s.child.kill('SIGKILL');
  await s.exited;
}

export const workerTs = path.join(root, 'apps', 'worker', 'src', 'main.ts');

/** The worker entry point (apps/worker/src/main.ts) in a child process; resolves once it logged "Worker ready". */
export async function startWorker(env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [runner, workerTs], {
    cwd: root,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const w: ServerProcess = { child, url: '', output: () => out, exited };
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('Worker ready')) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`worker not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return w;
}
