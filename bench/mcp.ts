/**
 * MCP cost per call, in both protocol eras, next to the bare SDK v2 started in the same run.
 *
 *   node bench/run.js bench/mcp.ts [--docs 500] [--duration 5] [--connections 10]
 *                                  [--memory-calls 100000] [--profile tools/list]
 *
 * Three child processes, one at a time: the bare official SDK v2 stateless server with one echo
 * tool (`createMcpHandler` + `toNodeHandler` on node:http: the baseline), then the product app
 * in MCP_MODE=stateless and in MCP_MODE=stateful (in-memory PGlite, or a throw-away database on
 * BENCH_DATABASE_URL / TEST_DATABASE_URL), loaded with generated documents. autocannon drives
 * each call for --duration seconds at --connections connections: `ping` (2025-11-25; the
 * 2026-07-28 era has no ping, `server/discover` stands in), `tools/list`, `tools/call get_user`
 * and `tools/call search_knowledge`, 2025-11-25 requests (stateless fallback, or one session in
 * stateful mode) and 2026-07-28 requests (per-request `_meta`, routing headers). For each run:
 * req/s, p50/p99 latency, and the server's CPU time per call (utime+stime from
 * /proc/<pid>/stat over the run, divided by the calls answered), and that CPU as a ratio of the
 * bare SDK's echo call in the same era. Then --memory-calls `tools/list` per era and mode with
 * the server's RSS before and after. --profile <call> writes a V8 CPU profile of the stateless
 * product during that call (2025 era) and prints its top self-time entries.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { AuthService } from '@app/auth';
import { loadConfig } from '@app/config';
import { systemPrincipal } from '@app/core';
import { DocumentsService, type CreateDocumentInput } from '@app/knowledge';
import { McpAudit, McpHttpService } from '@app/mcp';
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
const PROFILE = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : null;
const PG_BASE = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };
const QUERY = 'reset password invoice export';
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
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed, stats: stats() });
    }
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

async function serveProduct(mode: string, databaseUrl: string | null): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MCP_MODE: mode,
    RATE_LIMIT_PER_MINUTE: '1000000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
    JWT_TTL_SECONDS: String(24 * 3600),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: 'memory://' }),
  });
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
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop')
      void app
        .get(McpAudit)
        .flush()
        .then(() => app.close())
        .then(() => process.exit(0));
  });
  process.send!({
    type: 'ready',
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
  opts: { duration?: number; amount?: number } = {},
): Promise<Figure> {
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
  const calls = r.requests.total || 1;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    cpuUs: cpu / calls,
  };
}

function start(args: string[], profileDir?: string): ChildProcess {
  return fork(require.resolve('./run.js'), [__filename, ...args], {
    execArgv: ['--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: 'inherit',
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}

/** Top self-time functions of a .cpuprofile. */
function topOfProfile(dir: string, n = 15): string[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return ['(no profile written)'];
  const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    nodes: {
      id: number;
      hitCount: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
  };
  const total = prof.nodes.reduce((s, x) => s + x.hitCount, 0) || 1;
  const self = new Map<string, number>();
  for (const node of prof.nodes) {
    const f = node.callFrame;
    const where = f.url
      ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(libs|apps)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + node.hitCount);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

async function main(): Promise<void> {
  const table: { run: string; era: string; f: Figure }[] = [];
  const mem: string[] = [];
  const base: Record<string, number> = {};

  // The baseline: bare SDK v2 echo, both eras.
  const bare = start(['--serve-bare']);
  try {
    const { port } = await ask<{ port: number }>(bare, {}, 'ready');
    const url = `http://127.0.0.1:${port}/mcp`;
    for (const era of ['legacy', 'modern'] as const) {
      const echo = call(era, 'tools/call', { name: 'echo', arguments: { text: 'hello' } });
      await run(bare, url, {}, echo, { duration: 1 }); // warm-up
      const f = await run(bare, url, {}, echo);
      base[era] = f.cpuUs;
      table.push({ run: 'bare SDK v2 echo', era, f });
    }
  } finally {
    await stop(bare);
  }

  for (const mode of ['stateless', 'stateful']) {
    const db = PG_BASE ? await createThrowawayDatabase(PG_BASE) : null;
    const profileDir =
      PROFILE && mode === 'stateless' ? mkdtempSync(path.join(tmpdir(), 'mcp-prof-')) : undefined;
    const child = start(['--serve', mode, db?.url ?? ''], profileDir);
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
      const eras = mode === 'stateful' ? (['legacy'] as const) : (['legacy', 'modern'] as const);
      for (const era of eras) {
        const headers = era === 'legacy' ? legacyHeaders : auth;
        for (const c of calls(era)) {
          await run(child, url, headers, c, { duration: 1 }); // warm-up
          const label =
            c.body.method === 'tools/call'
              ? `tools/call ${(c.body.params as { name: string }).name}`
              : c.name;
          table.push({ run: `${mode} ${label}`, era, f: await run(child, url, headers, c) });
        }
        const list = calls(era)[1];
        const before = await ask<{ rss: number }>(child, { type: 'mem' }, 'mem');
        const r = await run(child, url, headers, list, { amount: MEMORY_CALLS });
        const after = await ask<{ rss: number; stats: object }>(child, { type: 'mem' }, 'mem');
        const mb = (n: number) => (n / 1048576).toFixed(1);
        mem.push(
          `${mode} ${era}: ${MEMORY_CALLS} tools/list (${r.errors} failed): RSS ${mb(before.rss)} → ${mb(after.rss)} MiB ` +
            `(${(((after.rss - before.rss) / before.rss) * 100).toFixed(1)}%), ${JSON.stringify(after.stats)}`,
        );
      }
      if (profileDir) {
        const c = calls('legacy').find(
          (x) => x.name === PROFILE || `tools/call ${(x.body.params as { name?: string }).name}` === PROFILE,
        );
        if (c) await run(child, url, legacyHeaders, c);
      }
    } finally {
      await stop(child);
      await db?.drop();
    }
    if (profileDir) {
      console.log(`\nCPU profile (stateless, 2025-11-25, whole run incl. ${PROFILE}): top self time`);
      console.log(topOfProfile(profileDir).join('\n'));
    }
  }

  const f = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  console.log(
    `\nMCP bench: ${DOCS} documents, ${PG_BASE ? 'Postgres' : 'PGlite'}, ${DURATION}s per run, ${CONNECTIONS} connections\n`,
  );
  console.log('| run | era | req/s | p50 ms | p99 ms | errors | CPU µs/call | CPU vs bare echo |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { run: name, era, f: v } of table)
    console.log(
      `| ${name} | ${era === 'legacy' ? LEGACY : MODERN} | ${f(v.rps)} | ${f(v.p50)} | ${f(v.p99)} | ${v.errors} | ${f(v.cpuUs)} | ${(v.cpuUs / base[era]).toFixed(2)}× |`,
    );
  console.log('\n' + mem.join('\n'));
}

if (process.argv.includes('--serve-bare')) void serveBare();
else if (process.argv.includes('--serve'))
  void serveProduct(
    process.argv[process.argv.indexOf('--serve') + 1],
    process.argv[process.argv.indexOf('--serve') + 2] || null,
  );
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
