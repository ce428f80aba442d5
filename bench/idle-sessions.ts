/**
 * Idle MCP sessions during an import (issue 9 item 3): N 2025-11-25 sessions that only
 * `initialize` (no stream, no further request), then a D-document import through
 * `POST /api/v1/imports`, against the same import with no sessions open. Before the fix, each
 * `list_changed` was written to the database once per session: 200 sessions made a 100-document
 * import 3–7× slower, and 1,500 hung the server and made it ignore SIGTERM.
 *
 *   node bench/run.js bench/idle-sessions.ts [--sessions 200] [--docs 100] [--rounds 3]
 *
 * The server runs as a child process on a fresh embedded database, with the per-principal cap
 * raised to N (one key opens every session: the worst case; by default a key keeps 50). Reported:
 * the import's wall time (upload to job completed; median of the rounds) without and with the
 * sessions and their ratio, the slowest `/health/live` answer during the imports of each phase,
 * the server's RSS, and how long SIGTERM takes to stop the server with the sessions still open.
 * Wall-clock figures depend on the machine and its load: the ratio is the figure to compare.
 */
import { readFileSync } from 'node:fs';
import { startBenchServer } from './bench-server';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SESSIONS = Number(arg('sessions', '200'));
const DOCS = Number(arg('docs', '100'));
const ROUNDS = Number(arg('rounds', '3'));
const ADMIN = { email: 'bench@example.test', password: 'Bench-password-for-sessions-9' };

const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const srv = await startBenchServer({
    admin: ADMIN,
    tag: 'idle',
    env: {
      MCP_MAX_SESSIONS: String(SESSIONS + 100),
      MCP_MAX_SESSIONS_PER_PRINCIPAL: String(SESSIONS + 100),
      RUN_JOBS: 'true',
    },
  });
  const { base, pid, token } = srv;
  try {
    const auth = { Authorization: `Bearer ${token}` };
    const key = (await (
      await fetch(`${base}/api/v1/api-keys`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'idle', scopes: ['kb:read'] }),
      })
    ).json()) as { secret: string };

    let batch = 0;
    /** One import of DOCS new documents; wall time to the job's end, slowest liveness meanwhile. */
    const importOnce = async () => {
      const form = new FormData();
      for (let i = 0; i < DOCS; i++) {
        const n = `${batch}-${i}`;
        form.append(
          'files',
          new Blob([`---\ntitle: Idle ${n}\nstatus: published\n---\n# Idle ${n}\n\nBody ${n}.`]),
          `idle-${n}.md`,
        );
      }
      batch++;
      let busy = true;
      let slowest = 0;
      const probe = (async () => {
        while (busy) {
          const t0 = performance.now();
          await (await fetch(`${base}/health/live`)).arrayBuffer();
          slowest = Math.max(slowest, performance.now() - t0);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/imports`, { method: 'POST', headers: auth, body: form });
      if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      let state = '';
      while (state !== 'completed' && state !== 'failed') {
        await new Promise((r) => setTimeout(r, 50));
        state = (
          (await (await fetch(`${base}/api/v1/jobs/${id}`, { headers: auth })).json()) as { state: string }
        ).state;
      }
      const ms = performance.now() - t0;
      busy = false;
      await probe;
      if (state !== 'completed') throw new Error(`import job ${id} ${state}`);
      return { ms, slowest };
    };

    const phase = async () => {
      const runs = [];
      for (let r = 0; r < ROUNDS; r++) runs.push(await importOnce());
      return {
        importMs: Math.round(median(runs.map((r) => r.ms))),
        slowestLivenessMs: Math.round(Math.max(...runs.map((r) => r.slowest))),
      };
    };

    await importOnce(); // warm-up: first-use compilation and caches, not counted
    const baseline = await phase();
    const baselineRss = rssMb(pid);

    // N sessions that only initialize, 20 at a time.
    const t0 = performance.now();
    let opened = 0;
    const initOne = async () => {
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${key.secret}`,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'idle', version: '1' },
          },
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 200 || !res.headers.get('mcp-session-id'))
        throw new Error(`initialize: ${res.status}`);
      opened++;
    };
    for (let i = 0; i < SESSIONS; i += 20)
      await Promise.all(Array.from({ length: Math.min(20, SESSIONS - i) }, initOne));
    const openMs = performance.now() - t0;

    const loaded = await phase();
    const loadedRss = rssMb(pid);

    const s0 = performance.now();
    srv.child.kill('SIGTERM');
    const code = await srv.exited;
    const sigtermMs = Math.round(performance.now() - s0);

    console.table([
      { phase: 'no sessions', ...baseline, rssMb: baselineRss },
      { phase: `${opened} idle sessions`, ...loaded, rssMb: loadedRss },
    ]);
    console.log(
      JSON.stringify({
        sessions: opened,
        docs: DOCS,
        rounds: ROUNDS,
        openSessionsMs: Math.round(openMs),
        importRatio: +(loaded.importMs / baseline.importMs).toFixed(2),
        sigtermMs,
        exitCode: code,
      }),
    );
  } finally {
    // Stopped above with SIGTERM (timed); after an error, hard.
    await srv.close('SIGKILL');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
