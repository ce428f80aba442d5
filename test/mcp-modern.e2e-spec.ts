import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { DatabaseService } from '@app/database';
import { McpAudit, McpHttpService, McpSubscriptions } from '@app/mcp';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient } from './support/http';
import { mcpClient, postMcp, rpcMessages, waitFor } from './support/mcp-client';

const MODERN = '2026-07-28';

/** An SDK v2 client pinned to protocol 2026-07-28 (server/discover, no initialize, no session). */
async function modernClient(baseUrl: string, token: string): Promise<Client> {
  const client = new Client(
    { name: 'e2e-modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe('MCP 2026-07-28 on /mcp (SDK v2 client) next to 2025-11-25 sessions', () => {
  let t: TestApp;
  let db: DatabaseService;
  let agent: ApiClient & { userId: string; email: string };
  let kbKey: string;
  let c: Client;

  beforeAll(async () => {
    t = await startTestApp({
      env: { EVENT_POLL_MS: '50', MCP_MAX_SESSIONS: '300', MCP_MAX_SESSIONS_PER_PRINCIPAL: '250' },
    });
    db = t.app.get(DatabaseService);
    const admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    kbKey = (await admin.post('/api/v1/api-keys', { name: 'kb', scopes: ['kb:read'] })).body.secret;
    for (const [slug, title, body] of [
      ['modern-era', 'The modern era', 'Stateless requests carry their own metadata.'],
      ['listen-streams', 'Listen streams', 'Subscriptions arrive over a listen stream.'],
    ]) {
      expect((await agent.post('/api/v1/documents', { slug, title, body, status: 'published' })).status).toBe(
        201,
      );
    }
    c = await modernClient(t.baseUrl, agent.token!);
  });
  afterAll(async () => {
    await c?.close();
    await t?.close();
  });

  it('connects with server/discover and no session', async () => {
    expect(c.getProtocolEra()).toBe('modern');
    expect(c.getServerVersion()).toMatchObject({ name: 'context-desk' });
    expect(c.getServerCapabilities()).toMatchObject({
      tools: {},
      prompts: {},
      completions: {},
      resources: { subscribe: true, listChanged: true },
    });
  });

  it('lists and calls tools, reads resources, gets prompts and completes arguments', async () => {
    const { tools } = await c.listTools();
    expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining(['search_knowledge', 'create_ticket']));
    const found: any = await c.callTool({ name: 'search_knowledge', arguments: { query: 'listen stream' } });
    expect(found.structuredContent.results[0].uri).toBe('kb://documents/listen-streams');
    const bad: any = await c.callTool({ name: 'get_ticket', arguments: { number: 'seven' } });
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/^Invalid input/);

    const read = await c.readResource({ uri: 'kb://documents/modern-era' });
    expect(read.contents[0]).toMatchObject({
      mimeType: 'text/markdown',
      text: expect.stringContaining('Stateless'),
    });
    await expect(c.readResource({ uri: 'kb://documents/no-such-doc' })).rejects.toMatchObject({
      code: -32602,
    });

    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('answer_from_knowledge');
    const p = await c.getPrompt({
      name: 'answer_from_knowledge',
      arguments: { question: 'What is a listen stream?' },
    });
    expect(p.messages.some((m) => m.content.type === 'resource')).toBe(true);

    const done = await c.complete({
      ref: { type: 'ref/resource', uri: 'kb://documents/{slug}' },
      argument: { name: 'slug', value: 'mod' },
    });
    expect(done.completion.values).toEqual(['modern-era']);
  });

  it('subscriptions/listen receives resources/updated after a REST write', async () => {
    const updates: string[] = [];
    c.setNotificationHandler('notifications/resources/updated', async (n) => {
      updates.push(n.params.uri);
    });
    const sub = await c.listen({ resourceSubscriptions: ['kb://documents/modern-era'] });
    expect(sub.honoredFilter).toMatchObject({ resourceSubscriptions: ['kb://documents/modern-era'] });
    const doc = await agent.get('/api/v1/documents/modern-era');
    const res = await agent.patch(
      '/api/v1/documents/modern-era',
      { body: 'Changed over REST while listening.' },
      { 'If-Match': String(doc.body.version) },
    );
    expect(res.status).toBe(200);
    await waitFor(
      () => updates.includes('kb://documents/modern-era'),
      'resources/updated on the listen stream',
    );
    await sub.close();
    expect(await sub.closed).toBe('local');
  });

  it('answers safe lists with cache hints and resultType, and validates the routing headers', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${t.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${agent.token}`,
          'MCP-Protocol-Version': MODERN,
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const list = await post(
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope } },
      { 'Mcp-Method': 'tools/list' },
    );
    expect(list.status).toBe(200);
    const body: any = await list.json();
    expect(body.result).toMatchObject({ resultType: 'complete', ttlMs: 60000, cacheScope: 'private' });

    const mismatch = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: envelope } },
      { 'Mcp-Method': 'prompts/list' },
    );
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as any).error.code).toBe(-32020);
  });

  it('sends a tool call its log line only when the request asked for a log level', async () => {
    // What the conformance check sep-2575-server-no-log-without-loglevel asks of its own
    // diagnostic tool, shown with a product tool (each call logs a debug line when allowed).
    const call = async (meta: Record<string, unknown>) => {
      const res = await fetch(`${t.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${agent.token}`,
          'MCP-Protocol-Version': MODERN,
          'Mcp-Method': 'tools/call',
          'Mcp-Name': 'get_document',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: {
            name: 'get_document',
            arguments: { slug: 'modern-era' },
            _meta: { ...envelope, ...meta },
          },
        }),
      });
      expect(res.status).toBe(200);
      const frames = rpcMessages(await res.text());
      expect(frames.find((f: any) => f.id === 7)?.result?.isError).toBeFalsy();
      return frames.filter((f: any) => f.method === 'notifications/message');
    };
    expect(await call({})).toEqual([]);
    const logged = await call({ 'io.modelcontextprotocol/logLevel': 'debug' });
    expect(logged).toHaveLength(1);
    expect(logged[0].params).toMatchObject({
      level: 'debug',
      logger: 'tools',
      data: { tool: 'get_document' },
    });
  });

  it('applies one scope rule: a kb:read key gets 403 insufficient_scope for tickets, users and their prompts', async () => {
    const k = await modernClient(t.baseUrl, kbKey);
    try {
      const { resourceTemplates } = await k.listResourceTemplates();
      expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['kb://documents/{slug}']);
      for (const attempt of [
        () => k.callTool({ name: 'get_user', arguments: { email: agent.email } }),
        () => k.readResource({ uri: `kb://users/${agent.userId}` }),
        () => k.getPrompt({ name: 'triage_ticket', arguments: { number: '1' } }),
      ])
        await expect(attempt()).rejects.toThrow(/insufficient.scope|403|requires the scope/i);
    } finally {
      await k.close();
    }
    const legacy = await mcpClient(t.baseUrl, kbKey);
    try {
      const { resourceTemplates } = await legacy.client.listResourceTemplates();
      expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['kb://documents/{slug}']);
      await expect(legacy.client.readResource({ uri: 'kb://tickets/1' })).rejects.toThrow(
        /403|requires the scope/,
      );
    } finally {
      await legacy.close();
    }
  });

  it('refuses deep, oversized-chunked and malformed bodies with 4xx JSON-RPC errors', async () => {
    const send = (body: RequestInit['body']) =>
      fetch(`${t.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${agent.token}`,
        },
        body,
        duplex: 'half',
      } as RequestInit);
    const deep = await send(
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as any).error.code).toBe(-32600);
    const chunks = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < 40; i++) ctl.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024)));
        ctl.close();
      },
    });
    const big = await send(chunks as unknown as RequestInit['body']);
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.code).toBe(-32000);
    const junk = await send('{"jsonrpc":');
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as any).error.code).toBe(-32700);
    const badParams = await send(
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 7 } }),
    );
    expect(badParams.status).toBeLessThan(500);
  });

  it('keeps a few hundred idle sessions for O(1) database work per change, capped per principal and in total', async () => {
    const init = async (token: string) => {
      const res = await postMcp(t.baseUrl, token, {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'idle', version: '1' },
        },
      });
      await res.body?.cancel();
      expect(res.status).toBe(200);
      return res.headers.get('mcp-session-id')!;
    };
    const svc = t.app.get(McpHttpService);
    const first = await init(agent.token!);
    const ids = [first];
    for (let i = 0; i < 259; i++) ids.push(await init(agent.token!));
    expect(svc.stats().sessions).toBeLessThanOrEqual(250);
    // The agent's oldest idle session made room for the newer ones.
    const gone = await fetch(`${t.baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${agent.token}`,
        'mcp-session-id': first,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(gone.status).toBe(404);
    for (let i = 0; i < 60; i++) await init(kbKey);
    expect(svc.stats().sessions).toBeLessThanOrEqual(300);

    // One change with ~300 sessions open: nothing per session (no row, no message to an idle one).
    const watcher = await mcpClient(t.baseUrl, kbKey, {});
    const notes: string[] = [];
    watcher.client.fallbackNotificationHandler = async (n) => void notes.push(n.method);
    const subscriptions = t.app.get(McpSubscriptions);
    const sentBefore = subscriptions.sent;
    expect(
      (await agent.post('/api/v1/documents', { slug: 'with-idle-sessions', title: 'Idle', body: 'b' }))
        .status,
    ).toBe(201);
    await waitFor(() => notes.includes('notifications/resources/list_changed'), 'list_changed');
    const sent = subscriptions.sent - sentBefore;
    await watcher.close();
    // Sessions with no open stream are skipped, not sent a message each through their server.
    expect(sent).toBeLessThan(10);
    expect(await db.prisma.mcpSession.count()).toBeLessThanOrEqual(300);
  });

  it('closes the live streams and sessions of a revoked API key within seconds', async () => {
    const admin = api(t.baseUrl, await login(t.baseUrl));
    const created = (await admin.post('/api/v1/api-keys', { name: 'doomed', scopes: ['kb:read'] })).body;
    const modern = await modernClient(t.baseUrl, created.secret);
    const legacy = await mcpClient(t.baseUrl, created.secret);
    const sub = await modern.listen({ resourceSubscriptions: ['kb://documents/modern-era'] });
    expect((await admin.delete(`/api/v1/api-keys/${created.id}`)).status).toBeLessThan(300);
    expect(
      await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r('still open'), 10_000))]),
    ).toBe('remote');
    await expect(legacy.client.listTools()).rejects.toThrow(
      /401|404|Unauthorized|Session not found|fetch failed/i,
    );
    await legacy.close().catch(() => undefined);
    await modern.close().catch(() => undefined);
  });

  it('writes read-only tool calls to the audit log in batches, writes at once', async () => {
    await c.callTool({ name: 'get_document', arguments: { slug: 'modern-era' } });
    await t.app.get(McpAudit).flush();
    const row = await db.prisma.auditLog.findFirst({
      where: { channel: 'mcp', targetId: 'get_document', actorId: agent.userId },
    });
    expect(row).toMatchObject({ outcome: 'success', argsHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
