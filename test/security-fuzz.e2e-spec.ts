import fc from 'fast-check';
import { api, login, type ApiClient } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';
import { rpcMessages } from './support/mcp-client';

// Property-based fuzzing of the REST and MCP input surface against the real app: whatever the
// input, the answer is a 2xx/4xx (never a 5xx), JSON-RPC errors are never -32603, and the process
// keeps answering. Bounded in runs and time so it stays a fast test.
const RUNS = 120;
const TIME_MS = 40_000;

const segment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('%00', '..', '%2e%2e', '99999999999999999999', '-1', '1e400', 'null', '{}', '%FF'),
  fc.uuid(),
  fc.nat().map(String),
);
const restGet = fc.record({
  base: fc.constantFrom(
    '/api/v1/documents',
    '/api/v1/tickets',
    '/api/v1/users',
    '/api/v1/events',
    '/api/v1/audit',
    '/api/v1/api-keys',
    '/api/v1/webhooks',
    '/api/v1/jobs',
  ),
  id: fc.option(segment, { nil: undefined }),
  sub: fc.option(fc.constantFrom('versions', 'comments', 'deliveries'), { nil: undefined }),
  query: fc.dictionary(
    fc.constantFrom('q', 'cursor', 'limit', 'after', 'status', 'tag', 'topic', 'priority'),
    fc.oneof(segment, fc.base64String({ maxLength: 80 })),
    { maxKeys: 4 },
  ),
});
const restPost = fc.record({
  path: fc.constantFrom(
    '/api/v1/documents',
    '/api/v1/tickets',
    '/api/v1/imports',
    '/api/v1/users',
    '/api/v1/webhooks',
    '/api/v1/api-keys',
    '/api/v1/auth/login',
  ),
  method: fc.constantFrom('POST', 'PATCH', 'PUT'),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 6 }),
    fc.record({
      slug: fc.string(),
      title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      body: fc.string(),
      tags: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 5 }),
      status: fc.string(),
      description: fc.string(),
      priority: fc.string(),
      email: fc.string(),
    }),
  ),
});

const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?'));
  }
};

describe('security: fuzzing REST and MCP inputs', () => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  }, 300_000);
  afterAll(() => t?.close());

  it('REST GETs never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(restGet, async ({ base, id, sub, query }) => {
        const raw = (v: string) => (v.startsWith('%') ? v : encode(v));
        let path = base;
        if (id !== undefined) path += `/${raw(id)}${sub ? `/${sub}` : ''}`;
        const qs = Object.entries(query)
          .map(([k, v]) => `${k}=${raw(v)}`)
          .join('&');
        const res = await admin.raw.get(qs ? `${path}?${qs}` : path);
        if (res.status >= 500)
          throw new Error(`GET ${path}?${qs} -> ${res.status} ${JSON.stringify(res.body)}`);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_MS, seed: Number(process.env.FUZZ_SEED) || undefined },
    );
  }, 300_000);

  it('REST writes never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(restPost, async ({ path, method, body }) => {
        const res = await admin.raw.request(method, path, body);
        if (res.status >= 500)
          throw new Error(
            `${method} ${path} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`,
          );
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_MS, seed: Number(process.env.FUZZ_SEED) || undefined },
    );
  }, 300_000);

  describe('/mcp JSON-RPC', () => {
    let sid: string;
    const headers = () => ({
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${admin.token}`,
      'mcp-protocol-version': '2025-11-25',
      ...(sid ? { 'mcp-session-id': sid } : {}),
    });
    const post = async (body: string) => {
      const res = await fetch(`${t.baseUrl}/mcp`, { method: 'POST', headers: headers(), body });
      const text = await res.text();
      const messages = rpcMessages(text) as {
        error?: { code: number; message: string };
        result?: { isError?: boolean; content?: { text?: string }[] };
      }[];
      return { status: res.status, messages, text };
    };

    beforeAll(async () => {
      const init = await fetch(`${t.baseUrl}/mcp`, {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'fuzz', version: '1' },
          },
        }),
      });
      sid = init.headers.get('mcp-session-id') ?? '';
      await init.text();
      await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    });

    const tools = [
      'search_knowledge',
      'get_document',
      'create_document',
      'update_document',
      'search_tickets',
      'get_ticket',
      'create_ticket',
      'update_ticket',
      'comment_on_ticket',
      'find_users',
      'get_user',
      'whoami',
      'list_ticket_comments',
      'list_document_versions',
      'get_document_version',
      'restore_document_version',
    ];
    const hostile = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ maxLength: 10 }).map((x) => `${x}\u0000`),
      fc.constantFrom('%00', '99999999999999999999', '-1', '1e400', '', ' ', 'kb://documents/x', '../../etc'),
      fc.uuid(),
    );
    const argumentsOf = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.constantFrom(
          'query',
          'id',
          'slug',
          'title',
          'body',
          'number',
          'email',
          'requesterEmail',
          'status',
          'priority',
          'tags',
          'cursor',
          'limit',
          'expectedVersion',
          'assigneeId',
          'createdAfter',
        ),
        fc.oneof(hostile, fc.integer(), fc.double(), fc.array(hostile, { maxLength: 3 }), fc.constant(null)),
        { maxKeys: 5 },
      ),
    );
    const envelope = fc.oneof(
      fc.record({
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.nat(), fc.string({ maxLength: 10 })),
        method: fc.constant('tools/call'),
        params: fc.record({ name: fc.constantFrom(...tools), arguments: argumentsOf }),
      }),
      fc.record({
        jsonrpc: fc.constant('2.0'),
        id: fc.nat(),
        method: fc.constantFrom(
          'resources/read',
          'resources/subscribe',
          'resources/list',
          'prompts/get',
          'completion/complete',
          'tools/list',
          'ping',
          'logging/setLevel',
        ),
        // Required params present or missing, hostile values (NUL bytes, huge numbers, odd URIs).
        params: fc.record(
          {
            uri: fc.oneof(
              hostile,
              fc.constantFrom(
                'kb://documents/%00',
                'kb://documents/\u0000',
                'kb://tickets/99999999999999999999',
                'kb://users/x',
                'kb://users/%ZZ',
              ),
            ),
            name: fc.oneof(
              hostile,
              fc.constantFrom('triage_ticket', 'answer_from_knowledge', 'summarize_ticket'),
            ),
            arguments: fc.dictionary(fc.constantFrom('number', 'question', 'x'), hostile),
            cursor: fc.oneof(fc.string(), fc.base64String()),
            level: fc.string(),
            ref: fc.jsonValue({ maxDepth: 2 }),
            argument: fc.jsonValue({ maxDepth: 2 }),
          },
          { requiredKeys: [] },
        ),
      }),
      fc.record({
        jsonrpc: fc.oneof(fc.constant('2.0'), fc.string({ maxLength: 4 })),
        id: fc.oneof(fc.nat(), fc.constant(null), fc.double()),
        method: fc.string({ maxLength: 30 }),
        params: fc.jsonValue({ maxDepth: 3 }),
      }),
    );

    it('never answers 5xx or -32603, and tool calls never fail with an internal error', async () => {
      await fc.assert(
        fc.asyncProperty(envelope, async (msg) => {
          const res = await post(JSON.stringify(msg));
          if (res.status >= 500)
            throw new Error(`${JSON.stringify(msg)} -> HTTP ${res.status} ${res.text.slice(0, 300)}`);
          const internal = res.messages.find((m) => m.error?.code === -32603);
          if (internal) throw new Error(`${JSON.stringify(msg)} -> -32603 ${internal.error!.message}`);
          const crashed = res.messages.find(
            (m) => m.result?.isError && /^Internal error/.test(m.result.content?.[0]?.text ?? ''),
          );
          if (crashed) throw new Error(`${JSON.stringify(msg)} -> tool internal error`);
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: TIME_MS, seed: Number(process.env.FUZZ_SEED) || undefined },
      );
    }, 300_000);

    it.each([
      ['resources/read', {}],
      ['resources/read', undefined],
      ['resources/subscribe', {}],
      ['resources/unsubscribe', {}],
      ['prompts/get', {}],
      ['completion/complete', {}],
      ['tools/call', {}],
      ['logging/setLevel', { level: 'loud' }],
    ] as const)('answers %s with params %j (required params missing) with -32602', async (method, params) => {
      const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method, params }));
      expect(res.status).toBeLessThan(500);
      expect(res.messages.map((m) => m.error?.code)).toEqual([-32602]);
      expect(res.messages[0].error!.message).toMatch(/^Invalid /);
    });

    it('answers a NUL byte in a resource URI, a completion value or a prompt argument with -32602', async () => {
      for (const [method, params] of [
        ['resources/read', { uri: 'kb://documents/%00' }],
        ['resources/read', { uri: 'kb://documents/\u0000' }],
        [
          'completion/complete',
          {
            ref: { type: 'ref/resource', uri: 'kb://documents/{slug}' },
            argument: { name: 'slug', value: 'a\u0000' },
          },
        ],
        ['prompts/get', { name: 'answer_from_knowledge', arguments: { question: 'a\u0000b' } }],
      ] as const) {
        const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method, params }));
        expect(res.messages.map((m) => m.error?.code)).toEqual([-32602]);
      }
    });

    it('answers a NUL byte in tool arguments with an isError result naming the field', async () => {
      for (const [name, args, field] of [
        ['get_document', { slug: 'a\u0000b' }, 'slug'],
        ['create_document', { slug: 'nul-doc', title: 'a\u0000b', body: 'x' }, 'title'],
        ['search_tickets', { query: 'a\u0000b' }, 'query'],
        ['find_users', { query: 'a\u0000b' }, 'query'],
      ] as const) {
        const res = await post(
          JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: args } }),
        );
        const result = res.messages.find((m) => m.result)?.result;
        expect(result?.isError).toBe(true);
        expect(result?.content?.[0]?.text).toContain(`${field} must not contain NUL`);
      }
    });

    it('answers malformed envelopes and 100k-deep JSON with a JSON-RPC error, not a crash', async () => {
      for (const body of ['{', '[]', 'null', '"x"', '['.repeat(100_000) + ']'.repeat(100_000)]) {
        const res = await post(body);
        expect(res.status).toBeLessThan(500);
        expect(res.messages.find((m) => m.error?.code === -32603)).toBeUndefined();
      }
      expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
    });
  });
});
