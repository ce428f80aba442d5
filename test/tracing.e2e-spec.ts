import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { trace, ProxyTracerProvider } from '@opentelemetry/api';
import { tracingEnabled, type Scope } from '@app/core';
import { api } from './support/http';
import { postMcp } from './support/mcp-client';
import { startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp } from './support/test-app';

// The real entry point in a child process with the real OTLP exporter (http/json) pointed at a
// receiver in this test: the production wiring, observed from outside.
const root = path.join(__dirname, '..');
const runner = path.join(root, 'bench', 'run.js');
const mainTs = path.join(root, 'apps', 'server', 'src', 'main.ts');
const freePort = () => 20000 + Math.floor(Math.random() * 20000);

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_PARENT = `00-${CALLER_TRACE}-00f067aa0ba902b7-01`;
const MODERN = '2026-07-28';
/** The per-request envelope of a 2026-07-28 request, plus any other `_meta` entries. */
const modernMeta = (extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  ...extra,
});
/** Hex trace ids distinct per test, recognisable in the receiver. */
const traceIdOf = (digit: string, last: string) => digit.repeat(31) + last;

async function waitFor<T>(what: string, fn: () => T | undefined | null | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tracing (OpenTelemetry)', () => {
  it('registers no tracer provider when no OTEL_* setting is present', async () => {
    const t = await startTestApp();
    try {
      expect(t.config.tracing).toBeNull();
      expect(tracingEnabled()).toBe(false);
      const provider = trace.getTracerProvider() as ProxyTracerProvider;
      // The API's proxy has no delegate: every tracer is the no-op one.
      expect(provider.getDelegate().constructor.name).toBe('NoopTracerProvider');
      const res = await fetch(`${t.baseUrl}/health/live`, { headers: { traceparent: CALLER_PARENT } });
      expect(res.headers.get('traceparent')).toBeNull();
    } finally {
      await t.close();
    }
  }, 300_000);

  describe('with an OTLP endpoint', () => {
    let child: ChildProcess;
    let output = '';
    let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
    let url: string;
    let dataDir: string;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-trace-'));
      const port = freePort();
      url = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, [runner, mainTs], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          ADMIN_EMAIL,
          ADMIN_PASSWORD,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_SERVICE_NAME: 'context-desk-test',
          WEBHOOK_ALLOW_PRIVATE: 'true',
          WEBHOOK_RETRY_BASE_MS: '100',
          EVENT_POLL_MS: '50',
          MCP_LEGACY_SSE: 'true',
          // Low enough for one test to reach with one key, high enough for the rest of the file.
          RATE_LIMIT_PER_MINUTE: '40',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      await waitFor(
        'the server to be ready',
        () => child.exitCode === null && output.includes('Ready in'),
        170_000,
      ).catch((e) => {
        throw new Error(`${(e as Error).message}\n${output}`);
      });
    }, 300_000);

    afterAll(async () => {
      child?.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
      await receiver?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('continues the caller trace through the HTTP span into SQL spans, logs and problem details', async () => {
      const login = await api(url).post(
        '/api/v1/auth/login',
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        { traceparent: CALLER_PARENT },
      );
      expect(login.status).toBe(200);
      // The response names the server span of the caller's trace.
      expect(login.headers.get('traceparent')).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));

      const missing = await api(url, login.body.accessToken).get('/api/v1/documents/no-such-doc', {
        traceparent: CALLER_PARENT,
      });
      expect(missing.status).toBe(404);
      expect(missing.problem.traceId).toBe(CALLER_TRACE);

      const spans = await waitFor('HTTP and SQL spans of the caller trace', () => {
        const mine = receiver.spans.filter((s) => s.traceId === CALLER_TRACE);
        const http = mine.filter((s) => s.kind === 2 /* SERVER */);
        const sql = mine.filter((s) => s.name.startsWith('db '));
        return http.length >= 2 && sql.length >= 2 ? mine : null;
      });
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const serverSpan = spans.find(
        (s) =>
          s.kind === 2 &&
          String(s.attributes['url.path'] ?? s.attributes['http.target']).includes('/auth/login'),
      );
      expect(serverSpan?.parentSpanId).toBe('00f067aa0ba902b7');
      // Every SQL span hangs (directly or not) under one of the request's server spans.
      const rootOf = (s: ReceivedSpan): ReceivedSpan => {
        let cur = s;
        while (cur.parentSpanId && byId.has(cur.parentSpanId)) cur = byId.get(cur.parentSpanId)!;
        return cur;
      };
      for (const s of spans.filter((x) => x.name.startsWith('db '))) expect(rootOf(s).kind).toBe(2);
      // Statement text is recorded, argument values are not.
      const sqlText = spans.map((s) => String(s.attributes['db.query.text'] ?? '')).join('\n');
      expect(sqlText).not.toContain(ADMIN_PASSWORD);

      // Log lines of the request carry its trace id.
      await waitFor('a log line with the trace id', () => output.includes(`"trace_id":"${CALLER_TRACE}"`));
    }, 300_000);

    it('carries the request trace into the job it enqueues', async () => {
      const traceId = 'c'.repeat(31) + '1';
      const login = await api(url).post('/api/v1/auth/login', {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      const res = await api(url, login.body.accessToken).post(
        '/api/v1/imports',
        { documents: [{ slug: 'traced-import', title: 'Traced import', body: 'Body of a traced import.' }] },
        { traceparent: `00-${traceId}-${'d'.repeat(16)}-01` },
      );
      expect(res.status).toBe(202);
      const spans = await waitFor('the job span in the request trace', () => {
        const mine = receiver.spans.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.name === 'job imports') ? mine : null;
      });
      const job = spans.find((s) => s.name === 'job imports')!;
      expect(job.attributes['job.outcome']).toBe('completed');
      // The import's own SQL runs inside the job span.
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const underJob = spans.filter((s) => {
        for (let p = s.parentSpanId; p; p = byId.get(p)?.parentSpanId)
          if (p === job.spanId) return s.name.startsWith('db ');
        return false;
      });
      expect(underJob.length).toBeGreaterThan(0);
    }, 300_000);

    it('links one trace from the HTTP request through the MCP call and its SQL to the job it causes', async () => {
      // A webhook receiver: the ticket created over MCP is delivered by a job.
      const hooks = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
      const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
      const client = new Client({ name: 'traced-agent', version: '1.0.0' });
      try {
        const login = await api(url).post('/api/v1/auth/login', {
          email: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        });
        const token = login.body.accessToken;
        const hook = await api(url, token).post('/api/v1/webhooks', {
          url: hookUrl,
          events: ['ticket.created'],
          secret: 'a-webhook-secret-for-tracing',
        });
        expect(hook.status).toBe(201);

        const traceId = 'e'.repeat(31) + '2';
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
            requestInit: {
              headers: {
                Authorization: `Bearer ${token}`,
                traceparent: `00-${traceId}-${'f'.repeat(16)}-01`,
              },
            },
          }),
        );
        const res = await client.callTool({
          name: 'create_ticket',
          arguments: {
            title: 'Traced ticket',
            description: 'Created by a traced agent.',
            requesterEmail: 'traced@example.test',
          },
        });
        expect(res.isError).toBeFalsy();

        const spans = await waitFor(
          'HTTP, MCP, SQL and job spans in one trace',
          () => {
            const mine = receiver.spans.filter((s) => s.traceId === traceId);
            return mine.some((s) => s.name === 'mcp tools/call create_ticket') &&
              mine.some((s) => s.name === 'job webhooks')
              ? mine
              : null;
          },
          30_000,
        );
        const byId = new Map(spans.map((s) => [s.spanId, s]));
        const mcp = spans.find((s) => s.name === 'mcp tools/call create_ticket')!;
        expect(mcp.attributes['gen_ai.tool.name']).toBe('create_ticket');
        expect(mcp.attributes['mcp.tool.outcome']).toBe('success');
        expect(mcp.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
        const httpSpan = byId.get(mcp.parentSpanId!);
        expect(httpSpan?.kind).toBe(2);
        const ancestors = (s: ReceivedSpan) => {
          const out: string[] = [];
          for (let p = s.parentSpanId; p && byId.has(p); p = byId.get(p)!.parentSpanId) out.push(p);
          return out;
        };
        // The ticket's SQL ran inside the MCP span.
        expect(spans.some((s) => s.name.startsWith('db INSERT') && ancestors(s).includes(mcp.spanId))).toBe(
          true,
        );
        // The delivery job ran later, in the same trace, with its outgoing POST inside it.
        const job = spans.find((s) => s.name === 'job webhooks')!;
        expect(job.attributes['job.outcome']).toBe('completed');
        expect(
          spans.some(
            (s) =>
              s.kind === 3 /* CLIENT */ && ancestors(s).includes(job.spanId) && !s.name.startsWith('db '),
          ),
        ).toBe(true);
      } finally {
        await client.close().catch(() => undefined);
        await new Promise((r) => hooks.close(r));
      }
    }, 300_000);

    const adminToken = async () =>
      (await api(url).post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body
        .accessToken as string;
    const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
    const nanos = (s: ReceivedSpan, k: 'startTimeUnixNano' | 'endTimeUnixNano') =>
      BigInt(String((s as unknown as Record<string, unknown>)[k]));

    it('traces each legacy HTTP+SSE message as an MCP span that covers its SQL and lasts until the reply', async () => {
      const traceId = traceIdOf('1', 'a');
      const token = await adminToken();
      const auth = { Authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${'2'.repeat(16)}-01` };
      const client = new LegacyClient({ name: 'legacy-traced', version: '1.0.0' });
      await client.connect(
        new SSEClientTransport(new URL(`${url}/sse`), {
          requestInit: { headers: auth },
          eventSourceInit: {
            fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers ?? {}), ...auth } }),
          },
        }),
      );
      try {
        const res = await client.callTool({
          name: 'create_ticket',
          arguments: {
            title: 'Ticket over legacy SSE',
            description: 'Created by a traced legacy client.',
            requesterEmail: 'legacy@example.test',
          },
        });
        expect(res.isError).toBeFalsy();
      } finally {
        await client.close();
      }
      const spans = await waitFor('the legacy MCP span and its SQL', () => {
        const mine = spansOf(traceId);
        const mcp = mine.find((s) => s.name === 'mcp tools/call create_ticket');
        return mcp && mine.some((s) => s.name.startsWith('db INSERT') && s.parentSpanId) ? mine : null;
      });
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const mcp = spans.find((s) => s.name === 'mcp tools/call create_ticket')!;
      expect(mcp.attributes['mcp.protocol.era']).toBe('2024-11-05');
      expect(mcp.attributes['mcp.tool.outcome']).toBe('success');
      expect(mcp.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(spans.some((s) => s.name === 'mcp initialize')).toBe(true);
      // Its parent is the server span of the POST /messages that carried it.
      const post = byId.get(mcp.parentSpanId!)!;
      expect(post.kind).toBe(2);
      expect(String(post.attributes['url.path'] ?? post.attributes['http.target'])).toContain('/messages');
      // The ticket's SQL ran inside the MCP span, and the span ended after it: at the reply on
      // the stream, not at the 202 that answered the POST (the tool runs after that).
      const under = spans.filter((s) => {
        for (let p = s.parentSpanId; p; p = byId.get(p)?.parentSpanId) if (p === mcp.spanId) return true;
        return false;
      });
      const ticketInserts = under.filter(
        (s) => s.name.startsWith('db INSERT') && /ticket/i.test(String(s.attributes['db.query.text'])),
      );
      expect(ticketInserts.length).toBeGreaterThan(0);
      for (const s of ticketInserts)
        expect(nanos(mcp, 'endTimeUnixNano') >= nanos(s, 'endTimeUnixNano')).toBe(true);
    }, 120_000);

    it('traces calls refused at the MCP door: scope denied and rate-limited', async () => {
      const token = await adminToken();
      const keyFor = async (name: string, scopes: Scope[]) =>
        (await api(url, token).post('/api/v1/api-keys', { name, scopes })).body.secret as string;
      const call = (bearer: string, traceId: string, id: number, method: string, name?: string) =>
        postMcp(
          url,
          bearer,
          {
            jsonrpc: '2.0',
            id,
            method,
            params: { ...(name ? { name, arguments: {} } : {}), _meta: modernMeta() },
          },
          {
            'MCP-Protocol-Version': MODERN,
            'Mcp-Method': method,
            ...(name ? { 'Mcp-Name': name } : {}),
            traceparent: `00-${traceId}-${'3'.repeat(16)}-01`,
          },
        );

      const deniedTrace = traceIdOf('4', 'b');
      const denied = await call(
        await keyFor('kb reader', ['kb:read']),
        deniedTrace,
        1,
        'tools/call',
        'create_ticket',
      );
      expect(denied.status).toBe(403);
      const deniedSpan = await waitFor('the denied MCP span', () =>
        spansOf(deniedTrace).find((s) => s.name === 'mcp tools/call create_ticket'),
      );
      expect(deniedSpan.attributes['mcp.tool.outcome']).toBe('denied');
      expect(deniedSpan.attributes['mcp.protocol.era']).toBe(MODERN);
      expect(deniedSpan.attributes['gen_ai.tool.name']).toBe('create_ticket');

      const limitedTrace = traceIdOf('5', 'c');
      const busy = await keyFor('busy', ['kb:read']);
      let status = 0;
      for (let i = 0; i < 60 && status !== 429; i++) {
        const res = await call(busy, limitedTrace, i, 'tools/list');
        await res.body?.cancel();
        status = res.status;
      }
      expect(status).toBe(429);
      const limited = await waitFor('the rate-limited MCP span', () =>
        spansOf(limitedTrace).find((s) => s.name === 'mcp tools/list' && s.attributes['mcp.tool.outcome']),
      );
      expect(limited.attributes['mcp.tool.outcome']).toBe('rate_limited');
      // The calls let through have no refusal outcome.
      expect(spansOf(limitedTrace).filter((s) => s.name === 'mcp tools/list').length).toBeGreaterThan(1);
    }, 120_000);

    it("parents the MCP span on a 2026-07-28 request's _meta.traceparent and links the HTTP span", async () => {
      const httpTrace = traceIdOf('6', 'd');
      const metaTrace = traceIdOf('7', 'e');
      const metaParent = '8'.repeat(16);
      const res = await postMcp(
        url,
        await adminToken(),
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'whoami',
            arguments: {},
            _meta: modernMeta({ traceparent: `00-${metaTrace}-${metaParent}-01` }),
          },
        },
        {
          'MCP-Protocol-Version': MODERN,
          'Mcp-Method': 'tools/call',
          'Mcp-Name': 'whoami',
          traceparent: `00-${httpTrace}-${'9'.repeat(16)}-01`,
        },
      );
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toContain('"error"');
      const mcp = await waitFor('the MCP span in the _meta trace', () =>
        spansOf(metaTrace).find((s) => s.name === 'mcp tools/call whoami'),
      );
      expect(mcp.parentSpanId).toBe(metaParent);
      expect(mcp.attributes['mcp.protocol.era']).toBe(MODERN);
      expect(mcp.attributes['mcp.tool.outcome']).toBe('success');
      // The HTTP span stays in the header's trace and is linked from the MCP span.
      const httpSpan = await waitFor('the HTTP span of the request', () =>
        spansOf(httpTrace).find((s) => s.kind === 2),
      );
      expect(mcp.links?.map((l) => l.spanId)).toContain(httpSpan.spanId);
      expect(spansOf(httpTrace).some((s) => s.name.startsWith('mcp '))).toBe(false);
    }, 120_000);

    it("returns the span's own trace flags in traceparent: -00 for a caller's unsampled trace", async () => {
      const token = await adminToken();
      const traceId = traceIdOf('a', 'f');
      const unsampled = `00-${traceId}-${'b'.repeat(16)}-00`;
      const rest = await api(url, token).get('/api/v1/auth/me', { traceparent: unsampled });
      expect(rest.status).toBe(200);
      expect(rest.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
      const mcp = await postMcp(
        url,
        token,
        { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: modernMeta() } },
        { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'tools/list', traceparent: unsampled },
      );
      expect(mcp.status).toBe(200);
      expect(mcp.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
      // A sampled caller still gets -01 on /mcp.
      const sampled = await postMcp(
        url,
        token,
        { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: modernMeta() } },
        { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'tools/list', traceparent: CALLER_PARENT },
      );
      expect(sampled.headers.get('traceparent')).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    });

    it('does not trace health probes', async () => {
      await fetch(`${url}/health/live`, {
        headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.spans.some((s) => s.traceId === 'a'.repeat(32))).toBe(false);
    });
  });
});
