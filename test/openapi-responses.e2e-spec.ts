import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient, type OpenApiDocument } from './support/http';
import { mcpClient } from './support/mcp-client';
import { checkedClient, responseChecker, toJsonSchema, type ResponseCheck } from './support/openapi-check';

// Every answer in this file, success or problem, is checked against the OpenAPI document the
// server serves (test/support/openapi-check.ts): the document and the API cannot drift apart
// without a failure here. It walks the main resources the way the admin uses them.

describe('REST answers match the OpenAPI document', () => {
  let t: TestApp;
  let checker: ResponseCheck;
  let admin: ApiClient;
  let agentToken: string;
  let mcp: { client: Client; close(): Promise<void> };

  beforeAll(async () => {
    // The agent's MCP edits of a published article become drafts (the document-drafts routes).
    t = await startTestApp({ env: { MCP_REVIEW_ROLES: 'agent' } });
    const token = await login(t.baseUrl);
    const doc = await api(t.baseUrl, token).raw.get<OpenApiDocument>('/api/openapi.json');
    expect(doc.status).toBe(200);
    checker = responseChecker(doc.body);
    admin = checkedClient(t.baseUrl, token, checker);
    const agent = await userClient(t.baseUrl, api(t.baseUrl, token), 'agent');
    agentToken = agent.token!;
    mcp = await mcpClient(t.baseUrl, agentToken);
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.close();
  });

  it('turns nullable, closed and referenced schemas into JSON Schema that can refuse', () => {
    const ajvReady = toJsonSchema({
      type: 'object',
      properties: {
        collection: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['collection'],
    });
    expect(ajvReady).toEqual({
      type: 'object',
      properties: {
        collection: { type: ['string', 'null'] },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['collection'],
      additionalProperties: false,
    });
    // The checker refuses a field the document does not describe and a wrong type.
    const ok = { status: 200, headers: new Headers(), problem: {} as never };
    expect(() => checker.check('get', '/api/v1/auth/me', { ...ok, body: { surprise: 1 } })).toThrow(
      /does not match the OpenAPI document/,
    );
    expect(() => checker.check('get', '/api/v1/stats', { ...ok, status: 418, body: {} })).toThrow(
      /status not documented/,
    );
  });

  it('documents and drafts', async () => {
    const created = await admin.post('/api/v1/documents', {
      slug: 'vpn-setup',
      title: 'Set up the VPN',
      body: 'Install the **VPN** client and sign in.',
      status: 'published',
      tags: ['network'],
    });
    expect(created.status).toBe(201);
    const inCollection = await admin.post('/api/v1/documents', {
      slug: 'printer-errors',
      title: 'Printer error codes',
      body: 'Error 41: switch the printer off and on.',
      status: 'published',
      collection: 'hardware',
    });
    expect(inCollection.status).toBe(201);
    expect((await admin.get(`/api/v1/documents/${created.body.id}`)).status).toBe(200);
    expect((await admin.get('/api/v1/documents?limit=5')).status).toBe(200);
    expect((await admin.get('/api/v1/documents?q=printer')).status).toBe(200);
    const updated = await admin.patch(
      `/api/v1/documents/${created.body.id}`,
      { title: 'Set up the VPN client' },
      { 'If-Match': String(created.body.version) },
    );
    expect(updated.status).toBe(200);
    expect((await admin.get(`/api/v1/documents/${created.body.id}/versions`)).status).toBe(200);
    expect((await admin.get(`/api/v1/documents/${created.body.id}/versions/1`)).status).toBe(200);
    const stale = await admin.patch(
      `/api/v1/documents/${created.body.id}`,
      { title: 'x' },
      { 'If-Match': '1' },
    );
    expect(stale.status).toBe(409);
    expect((await admin.get('/api/v1/documents/no-such-document')).status).toBe(404);

    // Drafts: one of an article in no collection (collection null), one in a collection.
    for (const [id, version] of [
      [updated.body.id, updated.body.version],
      [inCollection.body.id, inCollection.body.version],
    ] as const) {
      const edit = await mcp.client.callTool({
        name: 'update_document',
        arguments: { id, expectedVersion: version, body: 'Edited by an agent, for review.' },
      });
      expect(edit.isError).toBeFalsy();
    }
    const drafts = await admin.get('/api/v1/document-drafts');
    expect(drafts.status).toBe(200);
    expect(drafts.body.items.map((d) => d.collection).sort()).toEqual(['hardware', null]);
    for (const d of drafts.body.items)
      expect((await admin.get(`/api/v1/document-drafts/${d.id}`)).status).toBe(200);
    const published = await admin.post(`/api/v1/document-drafts/${drafts.body.items[0].id}/publish`, {});
    expect(published.status).toBe(200);
  });

  it('tickets, comments, activity, views and macros', async () => {
    const ticket = await admin.post('/api/v1/tickets', {
      title: 'VPN drops every hour',
      description: 'The connection drops at the top of every hour.',
      requesterEmail: 'pat@customer.example',
      priority: 'high',
    });
    expect(ticket.status).toBe(201);
    const n = ticket.body.number;
    expect((await admin.get(`/api/v1/tickets/${n}`)).status).toBe(200);
    expect((await admin.get('/api/v1/tickets?status=open&limit=5')).status).toBe(200);
    const patched = await admin.patch(
      `/api/v1/tickets/${n}`,
      { status: 'pending', tags: ['vpn'] },
      { 'If-Match': String(ticket.body.version) },
    );
    expect(patched.status).toBe(200);
    expect((await admin.post(`/api/v1/tickets/${n}/comments`, { body: 'Looking into it.' })).status).toBe(
      201,
    );
    expect((await admin.get(`/api/v1/tickets/${n}/comments`)).status).toBe(200);
    expect((await admin.get(`/api/v1/tickets/${n}/activity`)).status).toBe(200);
    expect((await admin.get('/api/v1/tickets/999999')).status).toBe(404);
    expect((await admin.raw.post('/api/v1/tickets', { title: '' })).status).toBe(400);
    expect((await admin.post('/api/v1/tickets', { title: '' } as never)).status).toBe(400);

    const view = await admin.post('/api/v1/ticket-views', {
      name: 'Urgent unassigned',
      query: { status: 'open,pending', priority: 'urgent', assigneeId: 'none' },
    });
    expect(view.status).toBe(201);
    expect((await admin.get('/api/v1/ticket-views')).status).toBe(200);
    expect((await admin.get(`/api/v1/ticket-views/${view.body.id}`)).status).toBe(200);
    const macro = await admin.post('/api/v1/macros', {
      name: 'Greeting',
      body: 'Hi {{requester.firstName}}',
    });
    expect(macro.status).toBe(201);
    expect((await admin.get('/api/v1/macros')).status).toBe(200);
    expect((await admin.post(`/api/v1/macros/${macro.body.id}/render`, { ticket: n })).status).toBe(200);
  });

  it('users, API keys, events, audit and stats', async () => {
    expect((await admin.get('/api/v1/auth/me')).status).toBe(200);
    const user = await admin.post('/api/v1/users', {
      email: 'sam@example.test',
      name: 'Sam',
      role: 'viewer',
      password: 'sam-password-123',
    });
    expect(user.status).toBe(201);
    expect((await admin.get('/api/v1/users')).status).toBe(200);
    expect((await admin.get(`/api/v1/users/${user.body.id}`)).status).toBe(200);
    expect(
      (
        await admin.patch(
          `/api/v1/users/${user.body.id}`,
          { role: 'agent' },
          { 'If-Match': String(user.body.version) },
        )
      ).status,
    ).toBe(200);
    const key = await admin.post('/api/v1/api-keys', { name: 'reader', scopes: ['kb:read'] });
    expect(key.status).toBe(201);
    expect((await admin.get('/api/v1/api-keys')).status).toBe(200);
    expect((await admin.delete(`/api/v1/api-keys/${key.body.id}`)).status).toBe(200);
    expect((await admin.get('/api/v1/events?limit=50')).status).toBe(200);
    expect((await admin.get('/api/v1/audit?limit=50')).status).toBe(200);
    expect((await admin.get('/api/v1/stats')).status).toBe(200);
    const viewer = checkedClient(
      t.baseUrl,
      await login(t.baseUrl, 'sam@example.test', 'sam-password-123'),
      checker,
    );
    // Sam is an agent now: the audit log needs the admin scope.
    expect((await viewer.get('/api/v1/audit')).status).toBe(403);
    expect((await checkedClient(t.baseUrl, null, checker).get('/api/v1/stats')).status).toBe(401);
  });

  it('imports and their jobs', async () => {
    const body = {
      documents: [
        { slug: 'import-one', title: 'One', body: 'First page.' },
        { slug: 'Bad Slug!', title: 'Bad', body: 'x' },
      ],
    };
    for (let round = 0; round < 2; round++) {
      // The second round finds import-one unchanged.
      const queued = await admin.post('/api/v1/imports', body);
      expect(queued.status).toBe(202);
      let job = (await admin.get(`/api/v1/jobs/${queued.body.id}`)).body;
      while (job.state !== 'completed' && job.state !== 'failed') {
        await new Promise((r) => setTimeout(r, 50));
        job = (await admin.get(`/api/v1/jobs/${queued.body.id}`)).body;
      }
      expect(job.state).toBe('completed');
    }
  });

  it('webhooks and their deliveries', async () => {
    const hook = await admin.post('/api/v1/webhooks', {
      url: 'https://hooks.example.com/in',
      events: ['ticket.*'],
      secret: 'a-webhook-secret-for-tests',
      active: false,
    });
    expect(hook.status).toBe(201);
    expect((await admin.get('/api/v1/webhooks')).status).toBe(200);
    expect((await admin.get(`/api/v1/webhooks/${hook.body.id}`)).status).toBe(200);
    const changed = await admin.patch(
      `/api/v1/webhooks/${hook.body.id}`,
      { events: ['document.*'] },
      { 'If-Match': String(hook.body.version) },
    );
    expect(changed.status).toBe(200);
    expect((await admin.get(`/api/v1/webhooks/${hook.body.id}/deliveries`)).status).toBe(200);
    const bad = await admin.post('/api/v1/webhooks', { url: 'ftp://x', events: [], secret: 'short' });
    expect(bad.status).toBe(400);
  });

  it('covered the main resources', () => {
    const routes = new Set([...checker.checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
    for (const route of [
      'GET /api/v1/documents',
      'GET /api/v1/document-drafts/{id}',
      'GET /api/v1/tickets/{number}',
      'GET /api/v1/users',
      'GET /api/v1/jobs/{id}',
      'GET /api/v1/events',
      'GET /api/v1/webhooks/{id}/deliveries',
    ])
      expect(routes).toContain(route);
    expect(checker.checked.size).toBeGreaterThan(35);
  });
});
