import * as http from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { DatabaseService } from '@app/database';
import { McpAudit } from '@app/mcp';
import { api, login, type ApiClient } from './support/http';
import { postMcp } from './support/mcp-client';
import { startTestApp, type TestApp } from './support/test-app';

// The example plugin in plugins/example-orders, loaded through PLUGINS like a team's own would be,
// and the deprecated HTTP+SSE transport (MCP_LEGACY_SSE) driven by the v1 SDK's SSE client.

async function modernClient(baseUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'plugin-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe('MCP plugins (PLUGINS) and the legacy SSE transport (MCP_LEGACY_SSE)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let ticketsKey: string;
  let kbKey: string;
  let ticketNumber: number;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        PLUGINS: './plugins/example-orders,./test/fixtures/plugins/reach-probe.js',
        MCP_LEGACY_SSE: 'true',
        // Reached by one test with its own key; the others stay far below it.
        RATE_LIMIT_PER_MINUTE: '60',
      },
    });
    admin = api(t.baseUrl, await login(t.baseUrl));
    ticketsKey = (await admin.post('/api/v1/api-keys', { name: 'orders', scopes: ['tickets:read'] })).body
      .secret;
    kbKey = (await admin.post('/api/v1/api-keys', { name: 'kb only', scopes: ['kb:read'] })).body.secret;
    const ticket = await admin.post('/api/v1/tickets', {
      title: 'Where is my parcel?',
      description: 'Order ORD-1001 has not arrived.',
      requesterEmail: 'ada@example.test',
    });
    expect(ticket.status).toBe(201);
    ticketNumber = ticket.body.number;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists and calls the plugin's tool for a key with its scope, through the domain API", async () => {
    const c = await modernClient(t.baseUrl, ticketsKey);
    try {
      const { tools } = await c.listTools();
      const lookup = tools.find((x) => x.name === 'lookup_order');
      expect(lookup).toBeDefined();
      expect(lookup!.inputSchema.properties).toHaveProperty('orderId');
      expect(lookup!.annotations?.readOnlyHint).toBe(true);

      const res = await c.callTool({ name: 'lookup_order', arguments: { orderId: 'ORD-1001' } });
      expect(res.isError).toBeFalsy();
      const out = res.structuredContent as { order: { status: string }; openTickets: { number: number }[] };
      expect(out.order.status).toBe('shipped');
      // The customer's ticket came through ctx.services.tickets, as the caller.
      expect(out.openTickets.map((x) => x.number)).toContain(ticketNumber);
      expect((res.content as { text: string }[])[0].text).toContain(`#${ticketNumber}`);

      // Errors map like the built-in tools': a result with isError and a usable message.
      const missing = await c.callTool({ name: 'lookup_order', arguments: { orderId: 'ORD-999' } });
      expect(missing.isError).toBe(true);
      expect(JSON.stringify(missing.content)).toMatch(/order .*ORD-999.* not found/);
      const invalid = await c.callTool({ name: 'lookup_order', arguments: { orderId: 'nope' } });
      expect(invalid.isError).toBe(true);
      expect(JSON.stringify(invalid.content)).toContain('orderId');

      // Its prompt and resource template are served by the same door.
      const prompt = await c.getPrompt({ name: 'order_followup', arguments: { orderId: 'ORD-1002' } });
      expect(JSON.stringify(prompt.messages)).toContain('processing');
      const { resourceTemplates } = await c.listResourceTemplates();
      expect(resourceTemplates.map((r) => r.uriTemplate)).toContain('orders://{orderId}');
      const read = await c.readResource({ uri: 'orders://ORD-1001' });
      expect(JSON.parse((read.contents[0] as { text: string }).text).carrier).toBe('DHL');
    } finally {
      await c.close();
    }

    // Every call is in the audit log, like a built-in tool's.
    await t.app.get(McpAudit).flush();
    const rows = await t.app
      .get(DatabaseService)
      .prisma.auditLog.findMany({ where: { action: 'mcp.tool_call', targetId: 'lookup_order' } });
    expect(rows.map((r) => r.outcome).sort()).toEqual(['error', 'error', 'success']);
  });

  it('hides the tool from a key without its scope and refuses a call', async () => {
    const c = await modernClient(t.baseUrl, kbKey);
    try {
      const { tools } = await c.listTools();
      expect(tools.map((x) => x.name)).not.toContain('lookup_order');
      expect(tools.map((x) => x.name)).toContain('search_knowledge');
      await expect(c.callTool({ name: 'lookup_order', arguments: { orderId: 'ORD-1001' } })).rejects.toThrow(
        /tickets:read/,
      );
      const { resourceTemplates } = await c.listResourceTemplates();
      expect(resourceTemplates.map((r) => r.uriTemplate)).not.toContain('orders://{orderId}');
    } finally {
      await c.close();
    }
    await t.app.get(McpAudit).flush();
    const denied = await t.app.get(DatabaseService).prisma.auditLog.count({
      where: { action: 'mcp.tool_call', targetId: 'lookup_order', outcome: 'denied' },
    });
    expect(denied).toBe(1);
  });

  it("refuses a plugin's ctx.services call that needs a scope the caller lacks", async () => {
    // probe_ticket_reach needs kb:read to be called, and asks ctx.services for tickets.
    const kbOnly = await modernClient(t.baseUrl, kbKey);
    try {
      const res = await kbOnly.callTool({ name: 'probe_ticket_reach', arguments: {} });
      expect(res.isError).toBe(true);
      expect(JSON.stringify(res.content)).toContain('needs the scope tickets:read');
    } finally {
      await kbOnly.close();
    }
    const both = (await admin.post('/api/v1/api-keys', { name: 'both', scopes: ['kb:read', 'tickets:read'] }))
      .body.secret;
    const c = await modernClient(t.baseUrl, both);
    try {
      const res = await c.callTool({ name: 'probe_ticket_reach', arguments: {} });
      expect(res.isError).toBeFalsy();
      expect((res.structuredContent as { tickets: number }).tickets).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it('counts plugin tool calls against the MCP rate limit', async () => {
    const key = (await admin.post('/api/v1/api-keys', { name: 'busy orders', scopes: ['tickets:read'] })).body
      .secret;
    const call = (id: number) =>
      postMcp(
        t.baseUrl,
        key,
        {
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: {
            name: 'lookup_order',
            arguments: { orderId: 'ORD-1001' },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        },
        { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'lookup_order' },
      );
    let served = 0;
    let refused: Response | null = null;
    for (let id = 1; id <= 80 && !refused; id++) {
      const res = await call(id);
      if (res.status === 429) refused = res;
      else {
        expect(res.status).toBe(200);
        expect(JSON.stringify(await res.json())).toContain('shipped');
        served++;
      }
    }
    expect(served).toBe(60);
    expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = await refused!.json();
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 61, error: { code: -32000, data: { status: 429 } } });
    expect(body.error.message).toMatch(/Too many requests/);
  });

  it('serves a legacy HTTP+SSE client (v1 SSEClientTransport) behind the same auth and scopes', async () => {
    const auth = { Authorization: `Bearer ${ticketsKey}` };
    const client = new LegacyClient({ name: 'legacy-sse', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${t.baseUrl}/sse`), {
        requestInit: { headers: auth },
        eventSourceInit: {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers ?? {}), ...auth } }),
        },
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining(['lookup_order', 'search_tickets']));
      expect(tools.map((x) => x.name)).not.toContain('search_knowledge');
      const res = await client.callTool({ name: 'get_ticket', arguments: { number: ticketNumber } });
      expect(res.isError).toBeFalsy();
      expect((res.structuredContent as { title: string }).title).toBe('Where is my parcel?');
    } finally {
      await client.close();
    }
    // No credentials: the stream is refused with the MCP challenge.
    const anonymous = await fetch(`${t.baseUrl}/sse`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('resource_metadata=');
    // A message for a stream that does not exist.
    const stray = await fetch(`${t.baseUrl}/messages?sessionId=nope`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(stray.status).toBe(404);
  });

  it('refuses a hostile Origin or Host on /sse and /messages with 403', async () => {
    const auth = { Authorization: `Bearer ${ticketsKey}` };
    // node:http, not fetch: fetch does not let a caller set Host (a DNS-rebinding page cannot
    // either, but its browser sends the rebound name as Host).
    const send = (method: 'GET' | 'POST', url: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(url, { method, headers }, (res) => {
          // An opened stream means the request was let through: no body to wait for.
          if (String(res.headers['content-type']).startsWith('text/event-stream')) {
            res.destroy();
            return resolve({ status: res.statusCode ?? 0, body: '{}' });
          }
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) : undefined);
      });
    const hostile: Record<string, string>[] = [{ Origin: 'https://evil.example' }, { Host: 'evil.example' }];
    for (const h of hostile) {
      for (const [method, path] of [
        ['GET', '/sse'],
        ['POST', '/messages?sessionId=x'],
      ] as const) {
        const res = await send(method, `${t.baseUrl}${path}`, {
          ...auth,
          ...h,
          'Content-Type': 'application/json',
        });
        expect({ method, path, h, status: res.status }).toEqual({ method, path, h, status: 403 });
        expect(JSON.parse(res.body).error.message).toMatch(/^Forbidden: (Origin|Host) .* is not allowed$/);
      }
    }
    // The Origin is checked before credentials.
    expect((await send('GET', `${t.baseUrl}/sse`, { Origin: 'https://evil.example' })).status).toBe(403);
    // The server's own loopback origin passes (then: no such session).
    const own = await send('POST', `${t.baseUrl}/messages?sessionId=x`, {
      ...auth,
      Origin: t.baseUrl,
      'Content-Type': 'application/json',
    });
    expect(own.status).toBe(404);
  });

  it('answers 404 on /sse and /messages when MCP_LEGACY_SSE is off', async () => {
    const off = await startTestApp();
    try {
      const token = await login(off.baseUrl);
      const sse = await fetch(`${off.baseUrl}/sse`, { headers: { Authorization: `Bearer ${token}` } });
      expect(sse.status).toBe(404);
      const msg = await fetch(`${off.baseUrl}/messages?sessionId=x`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(msg.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
