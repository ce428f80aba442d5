/**
 * Knowledge search at scale: load, memory, restart, latency and throughput.
 *
 *   node bench/run.js bench/search-scale.ts [--docs 100000] [--queries 200] [--duration 10]
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node bench/run.js bench/search-scale.ts ...
 *
 * A child process runs the real server app (file-backed PGlite in a temporary DATA_DIR, or a
 * throw-away database created from DATABASE_URL). The parent generates N help-center articles
 * whose words follow SciFact's own word frequencies (a Zipf-like distribution over the ~30k
 * words of the 5,183 abstracts, sampled word by word; titles, headings, 1–4 sections) and
 * loads them through the product's write path: `POST /api/v1/imports` (as many documents as
 * fit the 2 MB JSON body limit, ~1,300), waiting for each job. Then it reports:
 * - load time and documents/s (imports, each document versioned, evented and audited);
 * - the index's memory (its own accounting, and the server's heap after GC);
 * - restart-to-ready: a new server process on the same data until the index answers (from
 *   the snapshot; then again with the snapshot deleted, i.e. a rebuild from the database);
 * - p50/p95/p99 of keyword, question, "phrase" and -exclusion queries, one at a time, over
 *   REST (`GET /api/v1/documents?q=`) and MCP (`tools/call search_knowledge`);
 * - throughput at 10 concurrent MCP clients (autocannon), with the server's CPU per search
 *   read from /proc/<pid>/stat.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { AuthService } from '@app/auth';
import { SearchIndexer } from '@app/knowledge';
import { createServerApp } from '../apps/server/src/bootstrap';
import { createThrowawayDatabase } from '../test/support/test-db';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: object) => Promise<any> = require('autocannon');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 100_000);
const QUERIES = arg('queries', 200);
const DURATION = arg('duration', 10);
const IMPORT_BATCH = 500;
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };
const SCIFACT = process.env.SCIFACT_DIR ?? join(__dirname, '..', '..', 'shared', 'data', 'scifact-train');

// ------------------------------------------------------------------ child: the server
async function serve(dataDir: string, databaseUrl: string) {
  const started = Date.now();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
    JWT_TTL_SECONDS: String(24 * 3600),
    MCP_MODE: 'stateless',
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const app = await createServerApp(config);
  await app.listen(0, '127.0.0.1');
  const indexer = app.get(SearchIndexer);
  await indexer.warm();
  const readyMs = Date.now() - started;
  const { accessToken } = await app.get(AuthService).login(ADMIN.email, ADMIN.password);
  const port = (app.getHttpServer().address() as { port: number }).port;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'status') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'status', status: indexer.status(), heapUsed: u.heapUsed, rss: u.rss });
    } else if (m.type === 'snapshot') {
      void indexer.writeSnapshot().then(() => process.send!({ type: 'snapshot' }));
    } else if (m.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', port, token: accessToken, readyMs, status: indexer.status() });
}

// ------------------------------------------------------------------ parent
const ask = <T>(child: ChildProcess, msg: object | null, type: string) =>
  new Promise<T>((resolve, reject) => {
    const on = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m as T);
      }
    };
    const onExit = (code: number) => reject(new Error(`server exited with ${code}`));
    child.on('message', on);
    child.once('exit', onExit);
    if (msg) child.send(msg);
  });

interface Ready {
  port: number;
  token: string;
  readyMs: number;
  status: { documents: number; loadedFrom: string; memoryBytes: number };
}

function start(dataDir: string, databaseUrl: string): { child: ChildProcess; ready: Promise<Ready> } {
  const child = fork(require.resolve('./run.js'), [__filename, '--serve', dataDir, databaseUrl], {
    execArgv: ['--expose-gc', '--max-old-space-size=4096'],
    stdio: 'inherit',
  });
  return { child, ready: ask<Ready>(child, null, 'ready') };
}

async function stop(child: ChildProcess) {
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}

const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (1/100 s)
};

// Deterministic pseudo-random numbers (mulberry32), so every run loads the same corpus.
let seed = 7;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** SciFact's words with their frequencies: sampling from them gives Zipf-distributed text. */
function vocabulary() {
  const counts = new Map<string, number>();
  const questions: string[] = [];
  for (const line of readFileSync(join(SCIFACT, 'corpus.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as { title: string; text: string };
    for (const w of `${d.title} ${d.text}`.toLowerCase().match(/[a-z][a-z0-9-]*/g) ?? [])
      counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  for (const line of readFileSync(join(SCIFACT, 'queries.jsonl'), 'utf8').split('\n'))
    if (line.trim()) questions.push((JSON.parse(line) as { text: string }).text);
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  words.forEach(([, n], i) => (cumulative[i] = sum += n));
  const word = () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo][0];
  };
  return { word, words: words.map(([w]) => w), questions };
}

function generate(n: number, word: () => string) {
  const sentence = (len: number) => {
    const ws = Array.from({ length: len }, word);
    ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
    return `${ws.join(' ')}.`;
  };
  return Array.from({ length: n }, (_, i) => {
    const sections = 1 + Math.floor(rand() * 4);
    const body = Array.from({ length: sections }, (_, s) => {
      const paras = Array.from({ length: 1 + Math.floor(rand() * 2) }, () =>
        Array.from({ length: 2 + Math.floor(rand() * 4) }, () => sentence(8 + Math.floor(rand() * 14))).join(
          ' ',
        ),
      );
      return `${s ? `## ${sentence(3).slice(0, -1)}\n\n` : ''}${paras.join('\n\n')}`;
    }).join('\n\n');
    return {
      slug: `article-${i}`,
      title: sentence(4 + Math.floor(rand() * 6)).slice(0, -1),
      body,
      status: rand() < 0.9 ? 'published' : 'draft',
      tags: [`t${i % 50}`],
      collection: `c${i % 10}`,
    };
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${pct(s, 0.5).toFixed(1)} / ${pct(s, 0.95).toFixed(1)} / ${pct(s, 0.99).toFixed(1)}`;
};

async function main() {
  const pgBase = process.env.DATABASE_URL;
  const db = pgBase ? await createThrowawayDatabase(pgBase) : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-search-scale-'));
  const kind = db ? 'Postgres' : 'PGlite (file)';
  console.log(`search-scale: ${DOCS} documents on ${kind}`);
  const { word, words, questions } = vocabulary();
  let server = start(dataDir, db?.url ?? '');
  try {
    let ready = await server.ready;
    const base = `http://127.0.0.1:${ready.port}`;
    let auth = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };

    // ---- load through POST /api/v1/imports
    const docs = generate(DOCS, word);
    const loadStart = performance.now();
    // Imports of at most IMPORT_BATCH documents and under the 2 MB JSON body limit, one job each.
    const batches: (typeof docs)[] = [[]];
    let bytes = 0;
    for (const d of docs) {
      const size = JSON.stringify(d).length + 1;
      if (batches[batches.length - 1].length >= IMPORT_BATCH || bytes + size > 1_900_000) {
        batches.push([]);
        bytes = 0;
      }
      batches[batches.length - 1].push(d);
      bytes += size;
    }
    for (const batch of batches) {
      const res = await fetch(`${base}/api/v1/imports`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ documents: batch }),
      });
      const job = (await res.json()) as { id: string };
      if (res.status !== 202) throw new Error(`import answered ${res.status}: ${JSON.stringify(job)}`);
      for (;;) {
        const j = (await (await fetch(`${base}/api/v1/jobs/${job.id}`, { headers: auth })).json()) as {
          state: string;
          result?: { created: number; failed: number };
        };
        if (j.state === 'completed') {
          if (j.result?.failed) throw new Error(`import failures: ${JSON.stringify(j.result)}`);
          break;
        }
        if (j.state === 'failed') throw new Error(`import failed: ${JSON.stringify(j)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const loadS = (performance.now() - loadStart) / 1000;
    console.log(`load: ${DOCS} documents in ${loadS.toFixed(1)} s (${Math.round(DOCS / loadS)} documents/s)`);
    const st = await ask<{
      status: { documents: number; passages: number; terms: number; memoryBytes: number };
      heapUsed: number;
      rss: number;
    }>(server.child, { type: 'status' }, 'status');
    const mib = (n: number) => (n / 2 ** 20).toFixed(0);
    console.log(
      `index: ${st.status.documents} documents, ${st.status.passages} passages, ${st.status.terms} terms; ` +
        `${mib(st.status.memoryBytes)} MiB by its own accounting; server heap after GC ${mib(st.heapUsed)} MiB, RSS ${mib(st.rss)} MiB`,
    );

    // ---- queries
    const rare = words.slice(300, 5000);
    const common = words.slice(30, 300).filter((w) => w.length > 3);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const kinds: Record<string, () => string> = {
      keyword: () => `${pick(common)} ${pick(rare)}`,
      question: () => pick(questions),
      phrase: () => {
        const d = pick(docs).body.split(/\s+/);
        const i = Math.floor(rand() * (d.length - 3));
        return `"${d
          .slice(i, i + 2)
          .join(' ')
          .replace(/[^\w\s-]/g, '')}" ${pick(rare)}`;
      },
      exclusion: () => `${pick(common)} ${pick(rare)} -${pick(common)}`,
    };
    const mcpCall = (query: string, id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'search_knowledge', arguments: { query, limit: 10 } },
    });
    const mcpHeaders = {
      ...auth,
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    };
    const run = async (doors: ('rest' | 'mcp')[]) => {
      for (const door of doors) {
        for (const [name, make] of Object.entries(kinds)) {
          const lat: number[] = [];
          let hits = 0;
          for (let i = 0; i < QUERIES; i++) {
            const q = make();
            const t0 = performance.now();
            if (door === 'rest') {
              const r = await fetch(`${base}/api/v1/documents?q=${encodeURIComponent(q)}&limit=10`, {
                headers: auth,
              });
              hits += ((await r.json()) as { items: unknown[] }).items.length;
            } else {
              const r = await fetch(`${base}/mcp`, {
                method: 'POST',
                headers: mcpHeaders,
                body: JSON.stringify(mcpCall(q, i)),
              });
              const text = await r.text();
              if (r.status !== 200) throw new Error(`MCP answered ${r.status}: ${text.slice(0, 200)}`);
              hits += (text.match(/"documentId"/g) ?? []).length / 2;
            }
            lat.push(performance.now() - t0);
          }
          console.log(
            `  ${door.padEnd(4)} ${name.padEnd(9)} p50/p95/p99 ${fmt(lat)} ms  (${(hits / QUERIES).toFixed(1)} hits/query)`,
          );
        }
      }
    };
    console.log('latency, one query at a time (ms):');
    await run(['rest', 'mcp']);

    // ---- throughput at 10 concurrent MCP clients
    const all = Object.values(kinds);
    let id = 1;
    const t0 = cpuTicks(server.child.pid!);
    const r = await autocannon({
      url: `${base}/mcp`,
      method: 'POST',
      connections: 10,
      duration: DURATION,
      headers: mcpHeaders,
      requests: [
        { setupRequest: (req: object) => ({ ...req, body: JSON.stringify(mcpCall(all[id % 4](), id++)) }) },
      ],
    });
    const cpuMs = (cpuTicks(server.child.pid!) - t0) * 10;
    console.log(
      `throughput, 10 MCP clients (mixed kinds): ${r.requests.average.toFixed(0)} searches/s, p50 ${r.latency.p50} ms, ` +
        `p99 ${r.latency.p99} ms, ${r.errors + r.non2xx} errors; server CPU ${((cpuMs * 1000) / r.requests.total).toFixed(0)} µs per search`,
    );

    // ---- restart: from the snapshot, then a rebuild
    await ask(server.child, { type: 'snapshot' }, 'snapshot');
    await stop(server.child);
    server = start(dataDir, db?.url ?? '');
    ready = await server.ready;
    console.log(
      `restart to ready: ${ready.readyMs} ms (${ready.status.loadedFrom}, ${ready.status.documents} documents)`,
    );
    await stop(server.child);
    const snapDir = join(dataDir, 'search-index');
    for (const f of readdirSync(snapDir)) rmSync(join(snapDir, f));
    server = start(dataDir, db?.url ?? '');
    ready = await server.ready;
    auth = { ...auth, authorization: `Bearer ${ready.token}` };
    console.log(
      `restart to ready: ${ready.readyMs} ms (${ready.status.loadedFrom}, ${ready.status.documents} documents)`,
    );
  } finally {
    await stop(server.child).catch(() => undefined);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
