import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export interface BenchServer {
  base: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** The bootstrap admin's access token. */
  token: string;
  /** Stops the server if it still runs (SIGTERM unless told otherwise) and removes its DATA_DIR. */
  close(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The server as a child process (from source, through bench/run.js), on a fresh embedded
 * DATA_DIR unless `databaseUrl` is given, with the rate limit out of the way; resolves once it
 * has printed "Ready in" and the admin has signed in.
 */
export async function startBenchServer(opts: {
  admin: { email: string; password: string };
  /** Prefix of the temporary DATA_DIR (embedded mode). */
  tag: string;
  databaseUrl?: string;
  env?: Record<string, string>;
}): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = opts.databaseUrl ? null : mkdtempSync(path.join(tmpdir(), `cd-bench-${opts.tag}-`));
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bench/run.js'), path.join(ROOT, 'apps/server/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: opts.admin.email,
        ADMIN_PASSWORD: opts.admin.password,
        RATE_LIMIT_PER_MINUTE: '1000000',
        ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { DATA_DIR: dataDir! }),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const close = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready in') && resolve());
      void exited.then((code) => reject(new Error(`server exited with ${code}`)));
    });
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(opts.admin),
    });
    const { accessToken: token } = (await login.json()) as { accessToken: string };
    return { base, pid: child.pid!, child, exited, token, close };
  } catch (err) {
    await close();
    throw err;
  }
}
