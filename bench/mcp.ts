/**
 * MCP cost per call, in both protocol eras, next to the bare SDK v2 started in the same run.
 *
 *   node bench/run.js bench/mcp.ts [--docs 500] [--duration 5] [--connections 10]
 *                                  [--memory-calls 100000] [--memory-call tools/list|get_user|ping|search_knowledge]
 *                                  [--file-db] [--only stateless,get_user]
 *                                  [--profile 'stateless tools/call get_user 2025']
 *
 * Child processes: the bare official SDK v2 stateless server with one echo tool
 * (`createMcpHandler` + `toNodeHandler` on node:http: the baseline, kept running: every product
 * run is preceded by a bare echo run of the same era and length, and its ratio is taken against
 * that adjacent run), and one after the other the product app in MCP_MODE=stateless and in MCP_MODE=stateful (in-memory PGlite, or a throw-away database on
 * BENCH_DATABASE_URL / TEST_DATABASE_URL), loaded with generated documents. autocannon drives
 * each call for --duration seconds at --connections connections: `ping` (2025-11-25; the
 * 2026-07-28 era has no ping, `server/discover` stands in), `tools/list`, `tools/call get_user`
 * and `tools/call search_knowledge`, 2025-11-25 requests (stateless fallback, or one session in
 * stateful mode) and 2026-07-28 requests (per-request `_meta`, routing headers). For each run:
 * req/s, p50/p99 latency, and the server's CPU time per call (utime+stime from
 * /proc/<pid>/stat over the run, divided by the calls answered), and that CPU as a ratio of the
 * bare SDK's echo call of the adjacent run; the product's idle CPU (background pollers) is
 * printed too. Then --memory-calls `tools/list` (or --memory-call) per era and mode, after 2,000
 * to warm up, with the server's RSS, heap, committed heap and external memory after a full GC
 * (and a second one a second later) at every fifth of them (0 skips them). --file-db puts PGlite
 * in a temporary DATA_DIR instead of memory. --only runs just the product runs whose label
 * (e.g. `stateless tools/call get_user 2025-11-25`) contains all words of one of the comma-separated alternatives
 * (the bare baseline always runs). --profile <label words> records a V8 CPU profile (inspector,
 * in the server process) during exactly the product run whose label contains them all, and
 * prints its top self-time functions and the self time per package.
 *
 * Tracing: the stateless product is started twice more, with tracing off (no OTEL_* setting: the
 * child reports whether any tracer provider is registered) and on (the OpenTelemetry Node SDK
 * exporting OTLP/HTTP to a sink in this process, batch queue large enough that no span is
 * dropped), and the same calls are measured on both: CPU µs per call off vs on, the difference,
 * and the OTLP bytes exported per call. --tracing-calls N (default 5000) calls per measurement;
 * --tracing-only runs just that section.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { trace } from '@opentelemetry/api';
import { AuthService } from '@app/auth';
import { loadConfig } from '@app/config';
import { systemPrincipal, tracingEnabled } from '@app/core';
import { DocumentsService, type CreateDocumentInput } from '@app/knowledge';
import { McpAudit, McpHttpService } from '@app/mcp';
import { startTracing, type TracingHandle } from '@app/observability';
import { UsersService } from '@app/users';
import { createServerApp } from '../apps/server/src/bootstrap';
import { createThrowawayDatabase } from '../test/support/test-db';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: object) => Promise<any> = require('autocannon');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 500);
const DURATION = arg('duration', 5);
const CONNECTIONS = arg('connections', 10);
const MEMORY_CALLS = arg('memory-calls', 100_000);
// --file-db: PGlite in a temporary DATA_DIR instead of in memory (told to the server child,
// whose argv is its own, through the environment).
if (process.argv.includes('--file-db')) process.env.BENCH_FILE_DB = '1';
/** What the memory runs send: `tools/list` (kept answers, mostly the door) or `get_user` (the SDK's whole path). */
const MEMORY_CALL = process.argv.includes('--memory-call')
  ? process.argv[process.argv.indexOf('--memory-call') + 1]
  : 'tools/list';
const TRACING_CALLS = arg('tracing-calls', 5_000);
const text = (name: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : null;
const ONLY = (text('only') ?? '').split(',').filter(Boolean);
const PROFILE = text('profile')?.split(/\s+/).filter(Boolean) ?? null;
/** --only: comma-separated alternatives, each a few words the run's label must all contain. */
const selected = (label: string) =>
  !ONLY.length || ONLY.some((alt) => alt.split(/\s+/).every((w) => label.includes(w)));
const profiled = (label: string) => !!PROFILE?.length && PROFILE.every((w) => label.includes(w));
const PG_BASE = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };
const QUERY = 'reset password invoice export';
const TRACING_ONLY = process.argv.includes('--tracing-only');
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

const WORDS = (
  'password account invoice subscription team project report notification integration webhook export import ' +
  'user role permission token session device calendar file folder attachment comment label filter template ' +
  'workflow automation dashboard widget reset sync login billing refund upgrade mobile desktop browser api'
).split(' ');
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const sentence = (n: number) =>
  Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');

// ---------------------------------------------------------------- children: the servers under test
function reportMemory(stats: () => object = () => ({})): void {
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'mem') {
      // V8 hands the pages a GC freed back to the OS from a background task a little later: RSS
      // read right after gc() still counts them (150+ MiB after a burst of calls, gone a second
      // later). Sampled once that is done.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      await new Promise((r) => setTimeout(r, 1000));
      gc?.();
      await new Promise((r) => setTimeout(r, 200));
      const u = process.memoryUsage();
      process.send!({
        type: 'mem',
        rss: u.rss,
        heapUsed: u.heapUsed,
        heapTotal: u.heapTotal,
        external: u.external,
        arrayBuffers: u.arrayBuffers,
        stats: stats(),
      });
    }
  });
}

/** CPU profiles on request from the parent (the inspector, so a profile covers exactly one run). */
function reportProfiles(): void {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))),
    );
  process.on('message', (m: { type: string; file?: string }) => {
    if (m.type === 'prof-start')
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
        .then(() => post('Profiler.start'))
        .then(() => process.send!({ type: 'prof-started' }));
    if (m.type === 'prof-stop')
      void post<{ profile: object }>('Profiler.stop').then(({ profile }) => {
        writeFileSync(m.file!, JSON.stringify(profile));
        process.send!({ type: 'prof-stopped' });
      });
  });
}

/** The baseline: the official SDK v2, stateless, one echo tool, nothing else. */
async function serveBare(): Promise<void> {
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'bare', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echo', inputSchema: z.object({ text: z.string() }) },
      async ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
    return server;
  });
  const node = toNodeHandler(handler);
  const http = createServer((req, res) => void node(req, res));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  reportMemory();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') http.close(() => process.exit(0));
  });
  process.send!({ type: 'ready', port: (http.address() as { port: number }).port });
}

async function serveProduct(
  mode: string,
  databaseUrl: string | null,
  otlpEndpoint: string | null,
): Promise<void> {
  const otel = otlpEndpoint
    ? {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        // Export every span: a full queue would drop spans and understate the cost.
        OTEL_BSP_MAX_QUEUE_SIZE: '200000',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      }
    : {};
  Object.assign(process.env, otel);
  const config = loadConfig({
    ...otel,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MCP_MODE: mode,
    RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
    JWT_TTL_SECONDS: String(24 * 3600),
    ...(databaseUrl
      ? { DATABASE_URL: databaseUrl }
      : // --file-db: PGlite on files, as `npm start` runs it (in memory, the database itself,
        // audit rows included, is part of the process's RSS).
        {
          DATA_DIR: process.env.BENCH_FILE_DB ? mkdtempSync(path.join(tmpdir(), 'mcp-bench-')) : 'memory://',
        }),
  });
  const tracing: TracingHandle | null = startTracing(config);
  const app = await createServerApp(config);
  await app.listen(0, '127.0.0.1');
  const docs: CreateDocumentInput[] = Array.from({ length: DOCS }, (_, i) => ({
    slug: `article-${i}`,
    title: sentence(5),
    body: Array.from({ length: 6 }, () => sentence(40)).join('\n\n'),
    status: 'published',
    tags: [WORDS[i % WORDS.length]],
  }));
  const documents = app.get(DocumentsService);
  for (let i = 0; i < docs.length; i += 500)
    await documents.createMany(docs.slice(i, i + 500), systemPrincipal('job'));
  const { accessToken } = await app.get(AuthService).login(ADMIN.email, ADMIN.password);
  const userId = (await app.get(UsersService).getByEmail(ADMIN.email)).id;
  const mcp = app.get(McpHttpService);
  reportMemory(() => mcp.stats());
  reportProfiles();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop')
      void app
        .get(McpAudit)
        .flush()
        .then(() => app.close())
        .then(() => tracing?.shutdown())
        .then(() => process.exit(0));
  });
  // With no OTEL_* setting nothing may be registered: the global provider hands out
  // non-recording spans with an all-zero trace id.
  const probe = trace.getTracer('bench').startSpan('probe');
  const tracerRegistered = probe.isRecording() || !/^0+$/.test(probe.spanContext().traceId);
  probe.end();
  process.send!({
    type: 'ready',
    tracing: { enabled: tracingEnabled(), tracerRegistered },
    port: (app.getHttpServer().address() as { port: number }).port,
    token: accessToken,
    userId,
  });
}

// ---------------------------------------------------------------- parent: the measurements
const ask = <T>(child: ChildProcess, msg: object, type: string) =>
  new Promise<T>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (Object.keys(msg).length) child.send(msg);
  });

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

interface Call {
  name: string;
  era: 'legacy' | 'modern';
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs: number;
}

const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
};

function call(era: 'legacy' | 'modern', method: string, params: Record<string, unknown> = {}): Call {
  const name = typeof params.name === 'string' ? params.name : undefined;
  if (era === 'legacy')
    return {
      name: method,
      era,
      body: { jsonrpc: '2.0', method, params },
      headers: { 'mcp-protocol-version': LEGACY },
    };
  return {
    name: method,
    era,
    body: { jsonrpc: '2.0', method, params: { ...params, _meta: envelope } },
    headers: {
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
    },
  };
}

let nextId = 1;
async function run(
  child: ChildProcess,
  url: string,
  headers: Record<string, string>,
  c: Call,
  opts: { duration?: number; amount?: number; profile?: string } = {},
): Promise<Figure> {
  if (opts.profile) await ask(child, { type: 'prof-start' }, 'prof-started');
  const cpu0 = cpuMicros(child.pid!);
  const r = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? DURATION }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
      ...c.headers,
    },
    requests: [
      { setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ ...c.body, id: nextId++ }) }) },
    ],
  });
  const cpu = cpuMicros(child.pid!) - cpu0;
  if (opts.profile) await ask(child, { type: 'prof-stop', file: opts.profile }, 'prof-stopped');
  const calls = r.requests.total || 1;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    cpuUs: cpu / calls,
  };
}

function start(args: string[]): ChildProcess {
  return fork(require.resolve('./run.js'), [__filename, ...args], {
    execArgv: ['--expose-gc'],
    stdio: 'inherit',
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}

/** Top self-time functions of a .cpuprofile, then self time per package (or our lib). */
function topOfProfile(file: string, n = 20): string[] {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: {
      id: number;
      hitCount: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
  };
  const total = prof.nodes.reduce((s, x) => s + x.hitCount, 0) || 1;
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const node of prof.nodes) {
    const f = node.callFrame;
    const url = f.url.replace(/^file:\/\//, '');
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^.*?\/(libs|apps|bench)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    add(self, `${f.functionName || '(anonymous)'} ${where}`.trim(), node.hitCount);
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      /\/(libs\/[^/]+|apps\/[^/]+|bench)\//.exec(url)?.[1] ??
      (url.startsWith('node:') ? 'node (core)' : url ? url : `(${f.functionName || 'native'})`);
    add(byPackage, pkg, node.hitCount);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${key}`);
  return [...top(self, n), '', 'self time per package:', ...top(byPackage, 15)];
}

/** An OTLP/HTTP collector stand-in: accepts every export and counts the spans it carried. */
async function startSink(): Promise<{ url: string; bytes: () => number; close(): void }> {
  let bytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(sink.address() as { port: number }).port}`,
    bytes: () => bytes,
    close: () => sink.close(),
  };
}

/**
 * Per-call CPU of the stateless product with tracing off and on. Both servers run at once and
 * the measurements alternate between them in rounds, so a busy machine weighs on both alike;
 * each round first reads the server's idle CPU (pollers, batch exports) for a second and takes
 * it off, leaving what the calls themselves cost.
 */
async function tracingCost(): Promise<string[]> {
  const sink = await startSink();
  const lines: string[] = [];
  const servers: {
    traced: boolean;
    child: ChildProcess;
    url: string;
    auth: Record<string, string>;
    userId: string;
    drop?: () => Promise<void>;
  }[] = [];
  const ROUNDS = 4;
  const perRound = Math.max(100, Math.round(TRACING_CALLS / ROUNDS));
  const totals = new Map<string, { cpu: number; calls: number; bytes: number; rps: number[] }>();
  try {
    for (const traced of [false, true]) {
      const db = PG_BASE ? await createThrowawayDatabase(PG_BASE) : null;
      const child = start(['--serve', 'stateless', db?.url ?? '', traced ? sink.url : '']);
      const ready = await ask<{
        port: number;
        token: string;
        userId: string;
        tracing: { enabled: boolean; tracerRegistered: boolean };
      }>(child, {}, 'ready');
      servers.push({
        traced,
        child,
        url: `http://127.0.0.1:${ready.port}/mcp`,
        auth: { authorization: `Bearer ${ready.token}` },
        userId: ready.userId,
        drop: db?.drop,
      });
      lines.push(
        `tracing ${traced ? 'on ' : 'off'}: tracing enabled=${ready.tracing.enabled}, ` +
          `a tracer provider registered=${ready.tracing.tracerRegistered}`,
      );
    }
    const calls = (userId: string): [string, Call][] => [
      ['ping', call('legacy', 'ping')],
      ['tools/list', call('legacy', 'tools/list')],
      ['tools/call get_user', call('legacy', 'tools/call', { name: 'get_user', arguments: { id: userId } })],
      [
        'tools/call search_knowledge',
        call('legacy', 'tools/call', { name: 'search_knowledge', arguments: { query: QUERY, limit: 5 } }),
      ],
    ];
    for (const s of servers)
      for (const [, c] of calls(s.userId)) await run(s.child, s.url, s.auth, c, { amount: 300 }); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const s of servers)
        for (const [label, c] of calls(s.userId)) {
          const idle0 = cpuMicros(s.child.pid!);
          await new Promise((r) => setTimeout(r, 1000));
          const idlePerMs = (cpuMicros(s.child.pid!) - idle0) / 1000;
          const bytes0 = sink.bytes();
          const cpu0 = cpuMicros(s.child.pid!);
          const t0 = performance.now();
          const f = await run(s.child, s.url, s.auth, c, { amount: perRound });
          const cpu = cpuMicros(s.child.pid!) - cpu0 - idlePerMs * (performance.now() - t0);
          const key = `${label}|${s.traced}`;
          const t = totals.get(key) ?? { cpu: 0, calls: 0, bytes: 0, rps: [] };
          t.cpu += cpu;
          t.calls += perRound;
          t.rps.push(f.rps);
          if (s.traced) {
            await new Promise((r) => setTimeout(r, 400)); // the batch processor exports every 200 ms
            t.bytes += sink.bytes() - bytes0;
          }
          totals.set(key, t);
        }
  } finally {
    for (const s of servers) {
      await stop(s.child);
      await s.drop?.();
    }
    sink.close();
  }
  const f = (n: number) => (Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(0));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = ['ping', 'tools/list', 'tools/call get_user', 'tools/call search_knowledge'].map((label) => {
    const off = totals.get(`${label}|false`)!;
    const on = totals.get(`${label}|true`)!;
    const offUs = off.cpu / off.calls;
    const onUs = on.cpu / on.calls;
    return `| ${label} | ${f(median(off.rps))} | ${f(median(on.rps))} | ${f(offUs)} | ${f(onUs)} | ${f(onUs - offUs)} | ${(onUs / offUs).toFixed(2)}× | ${(on.bytes / on.calls).toFixed(0)} |`;
  });
  return [
    `\nTracing cost (stateless, 2025-11-25, ${PG_BASE ? 'Postgres' : 'PGlite'}, ${ROUNDS} alternating rounds of ${perRound} calls per server, ${CONNECTIONS} connections, idle CPU subtracted)\n`,
    ...lines,
    '',
    '| call | req/s off | req/s on | CPU µs/call off | CPU µs/call on | tracing cost µs/call | ratio | OTLP bytes/call |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

async function main(): Promise<void> {
  if (TRACING_ONLY) {
    console.log((await tracingCost()).join('\n'));
    return;
  }
  /** idleUs: the server's CPU per second when idle (pollers), its share per call is taken off in `net`. */
  const table: { run: string; era: string; f: Figure; bareUs: number; idleUs?: number }[] = [];
  const mem: string[] = [];
  const profiles: string[] = [];
  const idle: string[] = [];

  // The baseline: bare SDK v2 echo, both eras. It keeps running: every product run is
  // preceded by a bare echo run of the same era and length, and compared with that one (the
  // shared box's load drifts within minutes; adjacent runs see about the same machine).
  const bare = start(['--serve-bare']);
  const { port: barePort } = await ask<{ port: number }>(bare, {}, 'ready');
  const bareUrl = `http://127.0.0.1:${barePort}/mcp`;
  const echo = (era: 'legacy' | 'modern') =>
    call(era, 'tools/call', { name: 'echo', arguments: { text: 'hello' } });
  const bareRun = (era: 'legacy' | 'modern') => run(bare, bareUrl, {}, echo(era));
  for (const era of ['legacy', 'modern'] as const) {
    await run(bare, bareUrl, {}, echo(era), { duration: 1 }); // warm-up
    const f = await bareRun(era);
    table.push({ run: 'bare SDK v2 echo', era, f, bareUs: f.cpuUs });
  }

  for (const mode of ['stateless', 'stateful']) {
    if (ONLY.length && ONLY.every((alt) => /\bstate(less|ful)\b/.test(alt) && !alt.includes(mode))) continue;
    const db = PG_BASE ? await createThrowawayDatabase(PG_BASE) : null;
    const child = start(['--serve', mode, db?.url ?? '']);
    try {
      const ready = await ask<{ port: number; token: string; userId: string }>(child, {}, 'ready');
      const url = `http://127.0.0.1:${ready.port}/mcp`;
      const auth: Record<string, string> = { authorization: `Bearer ${ready.token}` };
      const legacyHeaders = { ...auth };
      if (mode === 'stateful') {
        const init = await fetch(url, {
          method: 'POST',
          headers: {
            ...auth,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 0,
            method: 'initialize',
            params: {
              protocolVersion: LEGACY,
              capabilities: {},
              clientInfo: { name: 'bench', version: '1' },
            },
          }),
        });
        Object.assign(legacyHeaders, { 'mcp-session-id': init.headers.get('mcp-session-id')! });
        await init.text();
      }
      const calls = (era: 'legacy' | 'modern'): Call[] => [
        era === 'legacy' ? call(era, 'ping') : call(era, 'server/discover'),
        call(era, 'tools/list'),
        call(era, 'tools/call', { name: 'get_user', arguments: { id: ready.userId } }),
        call(era, 'tools/call', { name: 'search_knowledge', arguments: { query: QUERY, limit: 5 } }),
      ];
      const cpu0 = cpuMicros(child.pid!);
      await new Promise((r) => setTimeout(r, 3000));
      const idleUs = (cpuMicros(child.pid!) - cpu0) / 3;
      idle.push(
        `${mode}: idle server CPU ${(idleUs / 1000).toFixed(1)} ms/s (event, job and webhook pollers)`,
      );
      const eras = mode === 'stateful' ? (['legacy'] as const) : (['legacy', 'modern'] as const);
      for (const era of eras) {
        const headers = era === 'legacy' ? legacyHeaders : auth;
        for (const c of calls(era)) {
          const label =
            c.body.method === 'tools/call'
              ? `tools/call ${(c.body.params as { name: string }).name}`
              : c.name;
          const full = `${mode} ${label} ${era === 'legacy' ? LEGACY : MODERN}`;
          if (!selected(full)) continue;
          await run(child, url, headers, c, { duration: 1 }); // warm-up
          const profile = profiled(full)
            ? path.join(mkdtempSync(path.join(tmpdir(), 'mcp-prof-')), 'run.cpuprofile')
            : undefined;
          const adjacent = await bareRun(era);
          table.push({
            run: `${mode} ${label}`,
            era,
            f: await run(child, url, headers, c, { profile }),
            bareUs: adjacent.cpuUs,
            idleUs,
          });
          if (profile)
            profiles.push(`\nCPU profile of ${full} (${profile}): top self time`, ...topOfProfile(profile));
        }
        if (!MEMORY_CALLS) continue;
        const list =
          calls(era)[{ ping: 0, 'tools/list': 1, get_user: 2, search_knowledge: 3 }[MEMORY_CALL] ?? 1];
        // RSS and heap after a full GC, sampled at every fifth of the calls: growth that levels
        // off is the heap finding its size; growth in every fifth is a leak.
        type Mem = {
          rss: number;
          heapUsed: number;
          heapTotal: number;
          external: number;
          arrayBuffers: number;
          stats: object;
        };
        // 2,000 calls first: the V8 heap commits its working size for this load (the first
        // samples otherwise read +30 MiB that never grows again).
        await run(child, url, headers, list, { amount: 2000 });
        const samples = [await ask<Mem>(child, { type: 'mem' }, 'mem')];
        let failed = 0;
        for (let i = 0; i < 5; i++) {
          failed += (await run(child, url, headers, list, { amount: Math.ceil(MEMORY_CALLS / 5) })).errors;
          samples.push(await ask<Mem>(child, { type: 'mem' }, 'mem'));
        }
        const mb = (n: number) => (n / 1048576).toFixed(0);
        const first = samples[0];
        const last = samples[samples.length - 1];
        mem.push(
          `${mode} ${era}: ${MEMORY_CALLS} ${MEMORY_CALL} (${failed} failed): RSS ${samples.map((x) => mb(x.rss)).join(' → ')} MiB ` +
            `(${(((last.rss - first.rss) / first.rss) * 100).toFixed(1)}%); heap after GC ${samples.map((x) => mb(x.heapUsed)).join(' → ')} MiB ` +
            `(V8 heap committed ${samples.map((x) => mb(x.heapTotal)).join(' → ')}, external ${samples.map((x) => mb(x.external)).join(' → ')}, of which array buffers ${samples.map((x) => mb(x.arrayBuffers)).join(' → ')}); ` +
            JSON.stringify(last.stats),
        );
      }
    } finally {
      await stop(child);
      await db?.drop();
    }
  }

  await stop(bare);
  const f = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  console.log(
    `\nMCP bench: ${DOCS} documents, ${PG_BASE ? 'Postgres' : 'PGlite'}, ${DURATION}s per run, ${CONNECTIONS} connections\n`,
  );
  console.log(
    '| run | era | req/s | p50 ms | p99 ms | errors | CPU µs/call | bare echo µs/call (adjacent run) | CPU vs bare echo | net of idle pollers µs/call | net vs bare echo |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { run: name, era, f: v, bareUs, idleUs } of table) {
    const net = idleUs === undefined ? v.cpuUs : Math.max(0, v.cpuUs - idleUs / Math.max(v.rps, 1));
    console.log(
      `| ${name} | ${era === 'legacy' ? LEGACY : MODERN} | ${f(v.rps)} | ${f(v.p50)} | ${f(v.p99)} | ${v.errors} | ${f(v.cpuUs)} | ${f(bareUs)} | ${(v.cpuUs / bareUs).toFixed(2)}× | ${f(net)} | ${(net / bareUs).toFixed(2)}× |`,
    );
  }
  console.log('\n' + idle.join('\n'));
  console.log('\n' + mem.join('\n'));
  if (profiles.length) console.log(profiles.join('\n'));
  // The tracing section (skipped when --only picks runs).
  if (!ONLY.length) console.log((await tracingCost()).join('\n'));
}

if (process.argv.includes('--serve-bare')) void serveBare();
else if (process.argv.includes('--serve'))
  void serveProduct(
    process.argv[process.argv.indexOf('--serve') + 1],
    process.argv[process.argv.indexOf('--serve') + 2] || null,
    process.argv[process.argv.indexOf('--serve') + 3] || null,
  );
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
