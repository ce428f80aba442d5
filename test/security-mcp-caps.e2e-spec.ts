import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpHttpService } from '@app/mcp';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login } from './support/http';
import { postMcp, waitFor } from './support/mcp-client';

// Issue 9 item 3: one principal cannot take every MCP slot of an instance. Caps set low here
// (2 per principal, 3 per instance) so that the refusals are reachable.
const MODERN = '2026-07-28';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
};

async function modernClient(baseUrl: string, token: string): Promise<Client> {
  const client = new Client(
    { name: 'caps', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** A raw subscriptions/listen POST: its status, Retry-After and (for a refusal) JSON body. */
async function rawListen(baseUrl: string, token: string, id: number) {
  const res = await postMcp(
    baseUrl,
    token,
    {
      jsonrpc: '2.0',
      id,
      method: 'subscriptions/listen',
      params: { notifications: { resourcesListChanged: true }, _meta: envelope },
    },
    { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'subscriptions/listen' },
  );
  const isStream = (res.headers.get('content-type') ?? '').includes('text/event-stream');
  const body: any = isStream ? null : await res.json();
  if (isStream) await res.body?.cancel();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

const initialize = (baseUrl: string, token: string) =>
  postMcp(baseUrl, token, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'caps', version: '1' } },
  });

describe('MCP session and listen-stream caps per principal (issue 9, item 3)', () => {
  let t: TestApp;
  let svc: McpHttpService;
  const keys: string[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      env: { EVENT_POLL_MS: '50', MCP_MAX_SESSIONS: '3', MCP_MAX_SESSIONS_PER_PRINCIPAL: '2' },
    });
    svc = t.app.get(McpHttpService);
    const admin = api(t.baseUrl, await login(t.baseUrl));
    for (const name of ['a', 'b', 'c', 'd']) {
      const created = await admin.post('/api/v1/api-keys', { name, scopes: ['kb:read'] });
      expect(created.status).toBe(201);
      keys.push(created.body.secret);
    }
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await t?.close();
  });

  it('refuses a listen stream past the per-principal cap with 503 + Retry-After, and frees the slot on close', async () => {
    const [a, b] = keys;
    const first = await modernClient(t.baseUrl, a);
    const second = await modernClient(t.baseUrl, a);
    clients.push(first, second);
    const subs = [
      await first.listen({ resourcesListChanged: true }),
      await second.listen({ resourcesListChanged: true }),
    ];
    expect(svc.stats().listenStreams).toBe(2);

    const refused = await rawListen(t.baseUrl, a, 7);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('30');
    expect(refused.body).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32000, message: expect.stringMatching(/for these credentials \(at most 2\)/) },
    });

    // Another key is not affected by a's streams.
    const other = await modernClient(t.baseUrl, b);
    clients.push(other);
    const theirs = await other.listen({ resourcesListChanged: true });
    expect(svc.stats().listenStreams).toBe(3);

    // The instance cap (3) is full now: a fourth principal is refused, naming the server.
    const full = await rawListen(t.baseUrl, keys[2], 8);
    expect(full.status).toBe(503);
    expect(full.retryAfter).toBe('30');
    expect(full.body.error.message).toMatch(/on this server \(at most 3\)/);

    // Closing a stream gives its slot back.
    await subs[0].close();
    await theirs.close();
    await waitFor(() => svc.stats().listenStreams === 1, 'listen slots released');
    const again = await first.listen({ resourcesListChanged: true });
    expect(svc.stats().listenStreams).toBe(2);
    await again.close();
    await subs[1].close();
    await waitFor(() => svc.stats().listenStreams === 0, 'every listen slot released');
  });

  it('answers initialize with 503 + Retry-After when every session of the principal has an open stream', async () => {
    const token = keys[3];
    const opened: { id: string; stream: AbortController }[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await initialize(t.baseUrl, token);
      expect(res.status).toBe(200);
      await res.body?.cancel();
      const id = res.headers.get('mcp-session-id')!;
      const stream = new AbortController();
      const get = await fetch(`${t.baseUrl}/mcp`, {
        headers: {
          Accept: 'text/event-stream',
          Authorization: `Bearer ${token}`,
          'mcp-session-id': id,
          'mcp-protocol-version': '2025-11-25',
        },
        signal: stream.signal,
      });
      expect(get.status).toBe(200);
      opened.push({ id, stream });
    }

    const refused = await initialize(t.baseUrl, token);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32000 } });
    expect(svc.stats().sessions).toBe(2);

    // Once a stream closes its session is idle, and the next initialize ends it to make room.
    opened[0].stream.abort();
    await waitFor(async () => {
      const res = await initialize(t.baseUrl, token);
      await res.body?.cancel();
      return res.status === 200;
    }, 'initialize after a stream closed');
    const gone = await postMcp(
      t.baseUrl,
      token,
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { 'mcp-session-id': opened[0].id, 'mcp-protocol-version': '2025-11-25' },
    );
    expect(gone.status).toBe(404);
    await gone.body?.cancel();
    opened[1].stream.abort();
  });
});
