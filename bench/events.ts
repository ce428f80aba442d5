/**
 * Event fan-out: N WebSocket subscribers on one server instance while changes are written at a
 * fixed rate; delivery latency from commit to receipt, and the server's CPU and memory.
 *
 *   node bench/run.js bench/events.ts [--subscribers 1000] [--rate 200] [--seconds 30]
 *                                     [--poll 50] [--threads 1] [--postgres URL] [--writer rest|outbox]
 *
 * The server runs as a child process (apps/server/src/main.ts through bench/run.js) on a fresh
 * embedded database in a temp dir, or on --postgres (use a throw-away database). Changes are
 * REST ticket updates (PATCH, one outbox event each), or with `--writer outbox` (default on
 * Postgres) committed outbox rows written by this process the way appendEvent writes them, so
 * the figure is the fan-out's and not the REST write path's. Latency is receipt time minus the event's
 * `at` (the outbox row's timestamp, taken inside the writing transaction, i.e. at or just before
 * commit; same machine, same clock). Subscribers run in worker threads so that parsing 200k
 * frames/s does not stall the writer. CPU and memory come from the server's own /metrics.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Pool } from 'pg';
import { startBenchServer } from './bench-server';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SUBSCRIBERS = Number(arg('subscribers', '1000'));
const RATE = Number(arg('rate', '200'));
const SECONDS = Number(arg('seconds', '30'));
const POLL_MS = arg('poll', '50');
const THREADS = Number(arg('threads', '1'));
const POSTGRES = arg('postgres', '');
/** rest: PATCH tickets through the API; outbox: insert outbox rows directly (Postgres only), to isolate fan-out. */
const WRITER = arg('writer', POSTGRES ? 'outbox' : 'rest');
const ROOT = path.resolve(__dirname, '..');
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** Subscriber thread: opens its connections, then records the latency of every event frame. */
const SUBSCRIBER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(require.resolve('ws', { paths: [workerData.root] }));
const { url, token, count } = workerData;
const latencies = [];
let frames = 0, open = 0, closed = 0;
const sockets = [];
function connect(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: 'Bearer ' + token }, perMessageDeflate: false });
    ws.on('open', () => { open++; ws.send(JSON.stringify({ type: 'subscribe', topics: ['tickets'] })); resolve(); });
    ws.on('message', (data) => {
      const now = Date.now();
      const s = data.toString();
      if (!s.startsWith('{"type":"event"')) return;
      const at = /"at":"([^"]+)"}$/.exec(s);
      frames++;
      // Sample every subscriber's frames (one in four) to keep memory bounded.
      if (at && (frames & 3) === 0) latencies.push(now - Date.parse(at[1]));
    });
    ws.on('close', () => closed++);
    ws.on('error', reject);
    sockets.push(ws);
  });
}
(async () => {
  for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => connect(i + k)));
  parentPort.postMessage({ type: 'ready', open });
})().catch((e) => parentPort.postMessage({ type: 'error', message: e.message }));
parentPort.on('message', (m) => {
  if (m === 'report') parentPort.postMessage({ type: 'report', latencies, frames, open, closed });
  if (m === 'stop') { for (const ws of sockets) ws.terminate(); }
});
`;

async function scrape(base: string): Promise<{ cpu: number; rss: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const v = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    cpu: v('context_desk_process_cpu_seconds_total'),
    rss: v('context_desk_process_resident_memory_bytes'),
  };
}

async function main(): Promise<void> {
  const srv = await startBenchServer({
    admin: ADMIN,
    tag: 'events',
    databaseUrl: POSTGRES || undefined,
    env: { EVENT_POLL_MS: POLL_MS },
  });
  const { base, token } = srv;
  try {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

    // A pool of tickets to update.
    const numbers: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: `Bench ${i}`, description: 'fan-out bench', priority: 'normal' }),
      });
      numbers.push(((await r.json()) as { number: number }).number);
    }

    const started = Date.now();
    const workers = Array.from({ length: THREADS }, (_, i) => {
      const count = Math.floor(SUBSCRIBERS / THREADS) + (i < SUBSCRIBERS % THREADS ? 1 : 0);
      return new Worker(SUBSCRIBER_CODE, {
        eval: true,
        workerData: { root: ROOT, url: `${base.replace(/^http/, 'ws')}/events`, token, count },
      });
    });
    const ask = (w: Worker, msg: string, type: string) =>
      new Promise<any>((resolve, reject) => {
        const on = (m: { type: string; message?: string }) => {
          if (m.type === type) {
            w.off('message', on);
            resolve(m);
          } else if (m.type === 'error') reject(new Error(m.message));
        };
        w.on('message', on);
        if (msg) w.postMessage(msg);
      });
    await Promise.all(workers.map((w) => ask(w, '', 'ready')));
    console.log(`${SUBSCRIBERS} subscribers connected in ${Date.now() - started} ms`);

    const pool = WRITER === 'outbox' ? new Pool({ connectionString: POSTGRES, max: 8 }) : null;
    const write = async (n: number, seq: number): Promise<boolean> => {
      if (!pool) {
        const r = await fetch(`${base}/api/v1/tickets/${n}`, {
          method: 'PATCH',
          headers,
          body: JSON.stringify({ title: `Bench ${n} @${seq}` }),
        });
        await r.arrayBuffer();
        return r.status === 200;
      }
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(72707370::bigint)');
        await c.query(
          `INSERT INTO event (topic, event, entity_id, payload) VALUES ('tickets', 'ticket.updated', $1, $2::jsonb)`,
          [String(n), JSON.stringify({ number: n, title: `Bench ${n} @${seq}`, pad: 'x'.repeat(600) })],
        );
        await c.query('COMMIT');
        return true;
      } finally {
        c.release();
      }
    };
    const before = await scrape(base);
    let sent = 0;
    let failed = 0;
    let inFlight = 0;
    let peakRss = before.rss;
    const t0 = Date.now();
    const sampler = setInterval(() => {
      scrape(base)
        .then((m) => (peakRss = Math.max(peakRss, m.rss)))
        .catch(() => undefined);
    }, 1000);
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = (Date.now() - t0) / 1000;
        if (elapsed >= SECONDS) {
          clearInterval(tick);
          resolve();
          return;
        }
        while (sent < elapsed * RATE && inFlight < 64) {
          const n = numbers[sent % numbers.length];
          sent++;
          inFlight++;
          write(n, sent)
            .then((ok) => {
              if (!ok) failed++;
            })
            .catch(() => failed++)
            .finally(() => inFlight--);
        }
      }, 5);
    });
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    const wall = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // let the last events arrive
    clearInterval(sampler);
    const after = await scrape(base);
    const reports = await Promise.all(workers.map((w) => ask(w, 'report', 'report')));
    workers.forEach((w) => w.postMessage('stop'));
    const latencies = reports.flatMap((r) => r.latencies as number[]).sort((a, b) => a - b);
    const frames = reports.reduce((s, r) => s + r.frames, 0);
    const closedEarly = reports.reduce((s, r) => s + r.closed, 0);
    const ok = sent - failed;

    console.log(
      JSON.stringify(
        {
          mode: POSTGRES ? 'postgres' : 'embedded (PGlite)',
          writer: WRITER,
          subscribers: SUBSCRIBERS,
          targetRate: RATE,
          seconds: SECONDS,
          eventPollMs: Number(POLL_MS),
          writes: { sent, failed, achievedPerSecond: +(ok / wall).toFixed(1) },
          frames: { received: frames, expected: ok * SUBSCRIBERS, closedEarly },
          latencyMs: {
            samples: latencies.length,
            p50: percentile(latencies, 0.5),
            p90: percentile(latencies, 0.9),
            p99: percentile(latencies, 0.99),
            max: latencies.at(-1),
          },
          server: {
            cpuPercentOfOneCore: +((100 * (after.cpu - before.cpu)) / (wall + 1)).toFixed(1),
            rssMbBefore: +(before.rss / 2 ** 20).toFixed(0),
            rssMbPeak: +(peakRss / 2 ** 20).toFixed(0),
          },
        },
        null,
        2,
      ),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    await pool?.end();
  } finally {
    await srv.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
