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
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { AuthService } from '@app/auth';
import {
  SearchIndex,
  SearchIndexer,
  SearchService,
  parseQuery,
  readSnapshotFile,
  writeSnapshotFile,
} from '@app/knowledge';

import { Client as PgClient } from 'pg';
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
const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** Phases to run (default all): load, latency, throughput, restart. */
const PHASES = new Set((flag('phases') ?? 'load,latency,throughput,restart').split(','));
/** Keep the database and DATA_DIR afterwards (printed), to rerun phases with --reuse. */
const KEEP = process.argv.includes('--keep');
/** `<dataDir>,<databaseUrl or ''>` of a kept run: no load, the documents are already there. */
const REUSE = flag('reuse');
/** Write a V8 CPU profile of the server during one phase (load, rest latency or throughput) and print its top entries. */
const PROFILE = flag('profile');
/** Documents per import request (about 5 MB of JSON; the route takes up to 32 MB). */
const IMPORT_BATCH = 2000;
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };
const SCIFACT =
  process.env.SCIFACT_DIR ??
  [join(__dirname, '..', '..', 'shared'), join(__dirname, '..', '..', '..', 'shared')]
    .map((d) => join(d, 'data', 'scifact-train'))
    .find((d) => existsSync(d)) ??
  'scifact-train';

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
  let profiler: Session | null = null;
  // The longest the event loop was blocked (a request waited behind it), read and reset by `loop-delay`.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'loop-delay') {
      process.send!({
        type: 'loop-delay',
        maxMs: loopDelay.max / 1e6,
        p99Ms: loopDelay.percentile(99) / 1e6,
      });
      loopDelay.reset();
    } else if (m.type === 'status') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'status', status: indexer.status(), heapUsed: u.heapUsed, rss: u.rss });
    } else if (m.type === 'profile-start') {
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () =>
        profiler!.post('Profiler.start', () => process.send!({ type: 'profile-start' })),
      );
    } else if (m.type === 'profile-stop') {
      profiler!.post('Profiler.stop', (err, res) => {
        profiler!.disconnect();
        process.send!({ type: 'profile-stop', profile: err ? null : JSON.stringify(res.profile) });
      });
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
  status: { documents: number; loadedFrom: string; memoryBytes: number; loadMs: number | null };
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

/**
 * CPU of the Postgres backends serving the bench database (same machine), in clock ticks since
 * `since()` was called: each backend's /proc ticks, found through pg_stat_activity.
 */
async function postgresCpu(databaseUrl: string | undefined) {
  if (!databaseUrl) return { since: async () => () => Promise.resolve(0), end: async () => undefined };
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  const read = async () => {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        ticks.set(pid, cpuTicks(pid));
      } catch {
        // exited meanwhile
      }
    }
    return ticks;
  };
  return {
    since: async () => {
      const start = await read();
      return async () => {
        let sum = 0;
        for (const [pid, t] of await read()) sum += t - (start.get(pid) ?? 0);
        return sum;
      };
    },
    end: () => client.end(),
  };
}

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

/** Query generators per kind, drawn from the corpus's vocabulary and SciFact's questions. */
function queryKinds(docs: { body: string }[], words: string[], questions: string[]) {
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
  return kinds;
}

/**
 * --index-only: the index alone, in this process (no server, no database): build time, memory,
 * snapshot write/load, and CPU per query of planning + ranking per kind (k = 11, a first page of 10).
 */
async function indexOnly(docs: ReturnType<typeof generate>, words: string[], questions: string[]) {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  const indexFile = flag('index-file');
  if (indexFile && existsSync(indexFile)) {
    // A kept index (written by an earlier --index-only run): CPU per query only.
    const read = await readSnapshotFile(indexFile);
    const index = SearchIndex.fromState(read!.state)!;
    console.log(
      `index-only: ${index.documentCount} documents read from ${indexFile} in ${(performance.now() - t).toFixed(0)} ms`,
    );
    return indexQueries(index, docs, words, questions);
  }
  const index = new SearchIndex();
  index.bulkAdd(
    docs.map((d, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      version: 1,
      title: d.title,
      body: d.body,
      tags: d.tags,
      collection: d.collection,
      status: d.status as 'published' | 'draft',
    })),
  );
  const buildMs = performance.now() - t;
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  console.log(
    `index-only: ${index.documentCount} documents, ${index.passageCount} passages, ${index.termCount} terms; ` +
      `built in ${(buildMs / 1000).toFixed(1)} s; ${(index.memoryBytes() / 2 ** 20).toFixed(0)} MiB by its own accounting, ` +
      `heap growth ${((heap1 - heap0) / 2 ** 20).toFixed(0)} MiB (generated corpus freed separately)`,
  );
  // Snapshot: the synchronous part (state), the asynchronous write with the longest event-loop
  // stall seen meanwhile, then reading it back into a working index.
  const dir = mkdtempSync(join(tmpdir(), 'cd-search-snap-'));
  try {
    const file = join(dir, 'index.idx');
    t = performance.now();
    const state = index.state();
    const stateMs = performance.now() - t;
    let worst = 0;
    let last = performance.now();
    let on = true;
    const probe = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      if (on) setImmediate(probe);
    };
    setImmediate(probe);
    t = performance.now();
    await writeSnapshotFile(file, {}, state);
    const writeMs = performance.now() - t;
    on = false;
    t = performance.now();
    const read = await readSnapshotFile(file);
    const restored = SearchIndex.fromState(read!.state)!;
    console.log(
      `snapshot: state ${stateMs.toFixed(0)} ms (synchronous); write ${writeMs.toFixed(0)} ms, longest event-loop stall meanwhile ${worst.toFixed(0)} ms; ` +
        `${(statSync(file).size / 2 ** 20).toFixed(0)} MiB; read + restore ${(performance.now() - t).toFixed(0)} ms (${restored.documentCount} documents)`,
    );
    if (indexFile) await writeSnapshotFile(indexFile, {}, state);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await indexQueries(index, docs, words, questions);
}

/** CPU per query of planning + ranking per kind (k = 11), search() next to searchExhaustive(). */
async function indexQueries(
  index: SearchIndex,
  docs: ReturnType<typeof generate>,
  words: string[],
  questions: string[],
) {
  let profiler: Session | null = null;
  if (PROFILE === 'index') {
    profiler = new Session();
    profiler.connect();
    await new Promise((r) => profiler!.post('Profiler.enable', () => profiler!.post('Profiler.start', r)));
  }
  const service = new SearchService(null as never, null as never);
  const kinds = queryKinds(docs, words, questions);
  for (const [name, make] of Object.entries(kinds)) {
    const queries = Array.from({ length: QUERIES }, () =>
      service.plan(parseQuery(make()), index, { status: 'published' }, 11),
    );
    const row: string[] = [];
    const hows = process.argv.includes('--no-exhaustive')
      ? (['search'] as const)
      : (['search', 'searchExhaustive'] as const);
    for (const how of hows) {
      // Warm (JIT) first, so the first kind measured is not charged for compiling.
      for (const q of queries) index[how](q);
      const lat: number[] = [];
      const c0 = process.cpuUsage();
      for (const q of queries) {
        const t0 = performance.now();
        index[how](q);
        lat.push(performance.now() - t0);
      }
      const c = process.cpuUsage(c0);
      if (process.env.SLOWEST) {
        const worst = lat
          .map((l, i) => [l, i])
          .sort((a, b) => b[0] - a[0])
          .slice(0, 4);
        for (const [l, i] of worst) {
          const t0 = performance.now();
          index[how](queries[i]);
          console.log(
            `    ${l.toFixed(1)} ms (again ${(performance.now() - t0).toFixed(1)}) ${JSON.stringify(queries[i].terms.map((t) => `${t.term}:${index.documentFrequency(t.term)}`))} ${JSON.stringify(queries[i].phrases)}`,
          );
        }
      }
      row.push(
        `${how} p50/p95/p99 ${fmt(lat)} ms, CPU ${((c.user + c.system) / QUERIES).toFixed(0)} µs/query`,
      );
    }
    console.log(`  ${name.padEnd(9)} ${row.join(';  ')}`);
  }
  if (profiler) {
    const profile = await new Promise<string>((resolve) =>
      profiler!.post('Profiler.stop', (_err, res) => resolve(JSON.stringify(res.profile))),
    );
    const file = join(tmpdir(), `search-scale-index-${Date.now()}.cpuprofile`);
    writeFileSync(file, profile);
    console.log(`CPU profile of the queries: ${file}`);
    console.log(summarizeProfile(profile).join('\n'));
  }
}

const profileStart = (child: ChildProcess) => ask(child, { type: 'profile-start' }, 'profile-start');

async function profileStop(child: ChildProcess) {
  const { profile } = await ask<{ profile: string | null }>(child, { type: 'profile-stop' }, 'profile-stop');
  if (!profile) return;
  const file = join(tmpdir(), `search-scale-${Date.now()}.cpuprofile`);
  writeFileSync(file, profile);
  console.log(`CPU profile of the server: ${file}`);
  console.log(summarizeProfile(profile).join('\n'));
}

/** Self time per function, and total (inclusive) time of the given functions, from a V8 CPU profile. */
function summarizeProfile(json: string, n = 25): string[] {
  const prof = JSON.parse(json) as {
    nodes: {
      id: number;
      hitCount: number;
      children?: number[];
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
  };
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const name = (f: { functionName: string; url: string; lineNumber: number }) => {
    const where = f.url
      ? `${f.url
          .replace(/^.*node_modules\//, '')
          .replace(/^file:\/\/.*?\/(libs|apps)\//, '$1/')
          .replace(/^.*\/(libs|apps)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    return `${f.functionName || '(anonymous)'} ${where}`.trim();
  };
  const total = prof.nodes.reduce((s, x) => s + x.hitCount, 0) || 1;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const x of prof.nodes) {
    if (!x.hitCount) continue;
    const key = name(x.callFrame);
    self.set(key, (self.get(key) ?? 0) + x.hitCount);
    const onStack = new Set<string>();
    for (let id: number | undefined = x.id; id !== undefined; id = parent.get(id)) {
      const k = name(byId.get(id)!.callFrame);
      if (!onStack.has(k)) {
        onStack.add(k);
        incl.set(k, (incl.get(k) ?? 0) + x.hitCount);
      }
    }
  }
  const pctOf = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const idle = ['(idle)', '(program)', '(garbage collector)'].map((k) => `${k}: ${pctOf(self.get(k) ?? 0)}`);
  return [
    `samples ${total}; ${idle.join(', ')}`,
    'top self time:',
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pctOf(v)}  ${k}`),
    'top total time (libs/, apps/):',
    ...[...incl.entries()]
      .filter(([k]) => /(libs|apps)\//.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pctOf(v)}  ${k}`),
  ];
}

async function main() {
  const { word, words, questions } = vocabulary();
  // Always generated (the same seed), so queries are drawn from the same corpus when reusing it.
  const docs = generate(DOCS, word);
  if (process.argv.includes('--index-only')) return indexOnly(docs, words, questions);
  const pgBase = process.env.DATABASE_URL;
  const [reuseDir, reuseUrl] = REUSE ? REUSE.split(',') : [];
  const db = REUSE
    ? reuseUrl
      ? { url: reuseUrl, drop: async () => undefined }
      : null
    : pgBase
      ? await createThrowawayDatabase(pgBase)
      : null;
  const dataDir = reuseDir || mkdtempSync(join(tmpdir(), 'cd-search-scale-'));
  const kind = db ? 'Postgres' : 'PGlite (file)';
  console.log(`search-scale: ${REUSE ? '(reused) ' : ''}${DOCS} documents on ${kind}`);
  const pg = await postgresCpu(db?.url);
  let server = start(dataDir, db?.url ?? '');
  try {
    let ready = await server.ready;
    const base = `http://127.0.0.1:${ready.port}`;
    let auth = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };
    const serverCpu0 = cpuTicks(server.child.pid!);
    const pgLoad = await pg.since();

    // ---- load through POST /api/v1/imports
    if (!REUSE && PHASES.has('load')) {
      if (PROFILE === 'load') await profileStart(server.child);
      await ask(server.child, { type: 'loop-delay' }, 'loop-delay');
      const loadStart = performance.now();
      const batches: (typeof docs)[] = [];
      for (let i = 0; i < docs.length; i += IMPORT_BATCH) batches.push(docs.slice(i, i + IMPORT_BATCH));
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
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const loadS = (performance.now() - loadStart) / 1000;
      const cpuMs = (cpuTicks(server.child.pid!) - serverCpu0) * 10;
      const pgMs = (await pgLoad()) * 10;
      const loop = await ask<{ maxMs: number; p99Ms: number }>(
        server.child,
        { type: 'loop-delay' },
        'loop-delay',
      );
      console.log(
        `load: ${DOCS} documents in ${loadS.toFixed(1)} s (${Math.round(DOCS / loadS)} documents/s wall); ` +
          `server CPU ${((cpuMs * 1000) / DOCS).toFixed(0)} µs per document (${Math.round((DOCS * 1000) / cpuMs)} documents per CPU-second)` +
          (db
            ? `; Postgres CPU ${((pgMs * 1000) / DOCS).toFixed(0)} µs per document, together ${Math.round((DOCS * 1000) / (cpuMs + pgMs))} documents per CPU-second`
            : '') +
          `; event loop blocked at most ${loop.maxMs.toFixed(0)} ms (p99 ${loop.p99Ms.toFixed(0)} ms)`,
      );
      if (PROFILE === 'load') await profileStop(server.child);
    }
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
    const kinds = queryKinds(docs, words, questions);
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
          const c0 = cpuTicks(server.child.pid!);
          const pgSince = await pg.since();
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
              hits +=
                (JSON.parse(text) as { result?: { structuredContent?: { results?: unknown[] } } }).result
                  ?.structuredContent?.results?.length ?? 0;
            }
            lat.push(performance.now() - t0);
          }
          const cpuUs = ((cpuTicks(server.child.pid!) - c0) * 10_000) / QUERIES;
          const pgUs = ((await pgSince()) * 10_000) / QUERIES;
          console.log(
            `  ${door.padEnd(4)} ${name.padEnd(9)} p50/p95/p99 ${fmt(lat)} ms  server CPU ${cpuUs.toFixed(0)} µs/query` +
              `${db ? ` + Postgres ${pgUs.toFixed(0)}` : ''}  (${(hits / QUERIES).toFixed(1)} hits/query)`,
          );
        }
      }
    };
    if (PHASES.has('latency')) {
      console.log('latency, one query at a time (ms):');
      if (PROFILE === 'rest') await profileStart(server.child);
      await run(['rest']);
      if (PROFILE === 'rest') await profileStop(server.child);
      await run(['mcp']);
    }

    // ---- throughput at 10 concurrent MCP clients
    if (PHASES.has('throughput')) {
      const all = Object.values(kinds);
      let id = 1;
      if (PROFILE === 'throughput') await profileStart(server.child);
      const t0 = cpuTicks(server.child.pid!);
      const pgSince = await pg.since();
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
      const pgMs = (await pgSince()) * 10;
      console.log(
        `throughput, 10 MCP clients (mixed kinds): ${r.requests.average.toFixed(0)} searches/s, p50 ${r.latency.p50} ms, ` +
          `p99 ${r.latency.p99} ms, ${r.errors + r.non2xx} errors; server CPU ${((cpuMs * 1000) / r.requests.total).toFixed(0)} µs per search` +
          (db ? `, Postgres CPU ${((pgMs * 1000) / r.requests.total).toFixed(0)} µs per search` : ''),
      );
      if (PROFILE === 'throughput') await profileStop(server.child);
    }

    // ---- restart: from the snapshot, then a rebuild
    if (PHASES.has('restart')) {
      await ask(server.child, { type: 'snapshot' }, 'snapshot');
      await stop(server.child);
      server = start(dataDir, db?.url ?? '');
      ready = await server.ready;
      console.log(
        `restart to ready: ${ready.readyMs} ms, of which the index ${ready.status.loadMs} ms (${ready.status.loadedFrom}, ${ready.status.documents} documents)`,
      );
      await stop(server.child);
      const snapDir = join(dataDir, 'search-index');
      for (const f of readdirSync(snapDir)) rmSync(join(snapDir, f));
      server = start(dataDir, db?.url ?? '');
      ready = await server.ready;
      auth = { ...auth, authorization: `Bearer ${ready.token}` };
      console.log(
        `restart to ready: ${ready.readyMs} ms, of which the index ${ready.status.loadMs} ms (${ready.status.loadedFrom}, ${ready.status.documents} documents)`,
      );
    }
  } finally {
    await pg.end().catch(() => undefined);
    await stop(server.child).catch(() => undefined);
    if (KEEP || REUSE) {
      if (!REUSE) console.log(`kept: --reuse ${dataDir},${db?.url ?? ''}`);
    } else {
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
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
