/**
 * Create burst: N ticket creates sent at once across K server instances (services mode, one
 * Postgres). Prints the status counts (201 / 503 / anything else), how many 201s are stored,
 * creates per second over the burst, and the servers' CPU per stored create.
 *
 *   node bench/run.js bench/burst.ts [--n 2000] [--instances 2] [--postgres URL] [--env K=V ...]
 *
 * --postgres is a server where the bench may create (and drops) its own database
 * (default TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/test). --env passes extra
 * server settings (e.g. --env DB_POOL_SIZE=20). Without Redis (in-process jobs and fan-out).
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { createThrowawayDatabase } from '../test/support/test-db';
import { serverEnv, startServer, type ServerProcess } from '../test/support/spawn-server';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(arg('n', '2000'));
const INSTANCES = Number(arg('instances', '2'));
const PG = arg('postgres', process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test');
const extra: Record<string, string> = {};
args.forEach((a, i) => {
  if (a === '--env') {
    const [k, ...v] = args[i + 1].split('=');
    extra[k] = v.join('=');
  }
});

/** utime + stime of a process in clock ticks (100 Hz on Linux). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function main(): Promise<void> {
  const db = await createThrowawayDatabase(PG);
  const servers: ServerProcess[] = [];
  try {
    const env = serverEnv({
      DATABASE_URL: db.url,
      JWT_SECRET: 'burst-bench-jwt-secret-long-enough-for-hs256',
      ADMIN_EMAIL: 'bench@burst.test',
      ADMIN_PASSWORD: 'burst-bench-password',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...extra,
    });
    for (let i = 0; i < INSTANCES; i++) servers.push(await startServer(env));
    const login = await fetch(`${servers[0].url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'bench@burst.test', password: 'burst-bench-password' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const cpu0 = servers.map((s) => cpuTicks(s.child.pid!));
    const t0 = Date.now();
    let lastOk = t0;
    const statuses: Record<string, number> = {};
    const retryAfter: Record<string, number> = {};
    const numbers: number[] = [];
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        let status: string;
        try {
          const res = await fetch(`${servers[i % INSTANCES].url}/api/v1/tickets`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
            body: JSON.stringify({
              title: `Burst ticket ${i}`,
              description: 'created in a burst',
              requesterEmail: `requester-${i % 7}@burst.test`,
            }),
          });
          const body = (await res.json()) as { number?: number };
          status = String(res.status);
          if (res.status === 201) {
            numbers.push(body.number!);
            lastOk = Date.now();
          }
          if (res.status === 503) {
            const ra = res.headers.get('retry-after') ?? 'none';
            retryAfter[ra] = (retryAfter[ra] ?? 0) + 1;
          }
        } catch (e) {
          status = `error ${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`;
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = servers.reduce((sum, s, i) => sum + cpuTicks(s.child.pid!) - cpu0[i], 0) * 10; // ms
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const stored = (
      await sql.query('SELECT count(*)::int AS n FROM ticket WHERE number = ANY($1::int[])', [numbers])
    ).rows[0].n as number;
    await sql.end();
    console.log(
      JSON.stringify(
        {
          requests: N,
          instances: INSTANCES,
          statuses,
          retryAfter,
          stored,
          burstSeconds: elapsed,
          createdPerSecond: Math.round(numbers.length / Math.max(0.001, (lastOk - t0) / 1000)),
          serverCpuMsPerCreate: numbers.length ? +(cpu / numbers.length).toFixed(2) : null,
          serverCpuMsPerRequest: +(cpu / N).toFixed(2),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const s of servers) s.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
