/**
 * MCP throughput, latency and memory, next to a bare SQL baseline.
 *
 *   node bench/run.js bench/mcp.ts [--docs 2000] [--duration 8] [--memory-calls 100000]
 *
 * For each MCP_MODE (stateful, stateless) a child process starts the real server app (in-memory
 * PGlite, or a throw-away database on the Postgres at BENCH_DATABASE_URL / TEST_DATABASE_URL),
 * loads generated documents through DocumentsService.createMany, and autocannon drives /mcp:
 * `tools/call search_knowledge` and `tools/list` at 10 and 50 connections (JSON responses; one
 * session shared by all connections in stateful mode). The baseline runs the very SQL that
 * SearchService.search issues for the same query through a `pg` pool of the same concurrency
 * (Postgres only). Then 100,000 `tools/list` calls per mode, with the child's RSS and heap
 * (after GC) before and after, and the transport's internal map sizes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { systemPrincipal } from '@app/core';
import { DatabaseService } from '@app/database';
import { DocumentsService, SearchService, type CreateDocumentInput } from '@app/knowledge';
import { McpHttpService } from '@app/mcp';
import { AuthService } from '@app/auth';
import { createServerApp } from '../apps/server/src/bootstrap';
import { createThrowawayDatabase } from '../test/support/test-db';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: object) => Promise<any> = require('autocannon');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 2000);
const DURATION = arg('duration', 8);
const MEMORY_CALLS = arg('memory-calls', 100_000);
const PG_BASE = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };
const QUERY = 'reset password invoice export';

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

// ---------------------------------------------------------------- child: the server under test
async function serve(mode: string, databaseUrl: string | null): Promise<void> {
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
  // The exact SQL SearchService runs for the bench query, for the baseline.
  let captured: { sql: string; params: unknown[] } | null = null;
  const db = app.get(DatabaseService);
  const spy = new SearchService({
    driver: {
      query: async (sql: string, params: unknown[]) => {
        captured = { sql, params };
        return db.driver.query(sql, params);
      },
    },
  } as unknown as DatabaseService);
  await spy.search({ query: QUERY, limit: 5, status: 'published' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  const mcp = app.get(McpHttpService);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed, stats: mcp.stats() });
    } else if (m.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', port, token: accessToken, search: captured });
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

interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

let nextId = 1;
/** Every request gets its own JSON-RPC id, as a real client's would (ids are per session). */
const requests = (body: object) => [
  { setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ ...body, id: nextId++ }) }) },
];

async function cannon(
  url: string,
  headers: Record<string, string>,
  body: object,
  connections: number,
  extra: object = {},
) {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: DURATION,
    headers,
    requests: requests(body),
    ...extra,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

async function sqlBaseline(
  url: string,
  search: { sql: string; params: unknown[] },
  connections: number,
): Promise<Figure> {
  const pool = new Pool({ connectionString: url, max: connections });
  const lat: number[] = [];
  const until = Date.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        await pool.query(search.sql, search.params);
        lat.push(performance.now() - t0);
      }
    }),
  );
  await pool.end();
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] * 100) / 100;
  return { rps: lat.length / DURATION, p50: q(0.5), p99: q(0.99), errors: 0 };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const mem: string[] = [];
  const table: Record<string, Figure> = {};
  for (const mode of ['stateful', 'stateless']) {
    const db = PG_BASE ? await createThrowawayDatabase(PG_BASE) : null;
    const child = fork(require.resolve('./run.js'), [__filename, '--serve', mode, db?.url ?? ''], {
      execArgv: ['--expose-gc'],
      stdio: 'inherit',
    });
    try {
      const ready = await ask<{ port: number; token: string; search: { sql: string; params: unknown[] } }>(
        child,
        {},
        'ready',
      );
      const url = `http://127.0.0.1:${ready.port}/mcp`;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${ready.token}`,
        'mcp-protocol-version': '2025-11-25',
      };
      if (mode === 'stateful') {
        const init = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 0,
            method: 'initialize',
            params: {
              protocolVersion: '2025-11-25',
              capabilities: {},
              clientInfo: { name: 'bench', version: '1' },
            },
          }),
        });
        headers['mcp-session-id'] = init.headers.get('mcp-session-id')!;
        await init.text();
      }
      const call = {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'search_knowledge', arguments: { query: QUERY, limit: 5 } },
      };
      const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
      await cannon(url, headers, call, 10, { duration: 2 }); // warm-up
      for (const c of [10, 50]) {
        table[`${mode} search c${c}`] = await cannon(url, headers, call, c);
        table[`${mode} list c${c}`] = await cannon(url, headers, list, c);
        if (db && mode === 'stateful') table[`sql search c${c}`] = await sqlBaseline(db.url, ready.search, c);
      }
      const before = await ask<{ rss: number; heapUsed: number; stats: object }>(
        child,
        { type: 'mem' },
        'mem',
      );
      const r = await autocannon({
        url,
        method: 'POST',
        connections: 50,
        amount: MEMORY_CALLS,
        headers,
        requests: requests(list),
      });
      const after = await ask<{ rss: number; heapUsed: number; stats: object }>(
        child,
        { type: 'mem' },
        'mem',
      );
      const mb = (n: number) => (n / 1048576).toFixed(1);
      mem.push(
        `${mode.padEnd(9)} ${MEMORY_CALLS} tools/list (${r.non2xx + r.errors} failed): RSS ${mb(before.rss)} → ${mb(after.rss)} MiB, ` +
          `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MiB, transport maps ${JSON.stringify(after.stats)}`,
      );
    } finally {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
      await db?.drop();
    }
  }
  const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  rows.push('| run | req/s | p50 ms | p99 ms | errors | vs SQL |', '|---|---|---|---|---|---|');
  for (const [k, v] of Object.entries(table)) {
    const c = k.split(' c')[1];
    const sql = table[`sql search c${c}`];
    const ratio =
      sql && k.includes('search') && !k.startsWith('sql')
        ? `${(v.rps / sql.rps).toFixed(2)}× throughput`
        : '';
    rows.push(`| ${k} | ${f(v.rps)} | ${f(v.p50)} | ${f(v.p99)} | ${v.errors} | ${ratio} |`);
  }
  console.log(
    `\nMCP bench: ${DOCS} documents, ${PG_BASE ? 'Postgres' : 'PGlite (no SQL baseline)'}, ${DURATION}s per run\n`,
  );
  console.log(rows.join('\n'));
  console.log('\n' + mem.join('\n'));
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt > 0) void serve(process.argv[serveAt + 1], process.argv[serveAt + 2] || null);
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
