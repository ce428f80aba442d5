import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient } from './support/http';
import { mcpClient } from './support/mcp-client';

// Three support tasks done through MCP alone, the way an agent would, with the number of tool
// calls counted: the tool surface should let an agent finish them in as few calls as a person.
jest.setTimeout(180_000);

type Out = Record<string, any>;

describe('agent tasks over MCP, with call counts', () => {
  let t: TestApp;
  let admin: ApiClient;
  let agent: ApiClient & { userId: string; email: string };
  let mcp: Awaited<ReturnType<typeof mcpClient>>;
  let client: Client;
  let calls = 0;

  const call = async (name: string, args: Record<string, unknown>) => {
    calls++;
    const res = (await client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      structuredContent?: Out;
      content: { type: string; text?: string }[];
    };
    if (res.isError) throw new Error(`${name} failed: ${res.content.map((c) => c.text).join(' ')}`);
    return { out: res.structuredContent!, text: res.content.map((c) => c.text ?? '').join('\n') };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    const docs = [
      {
        slug: 'reset-password',
        title: 'Reset your password',
        status: 'published',
        body: 'Open Settings, choose Security and press **Reset password**. The link is valid for 24 hours.',
      },
      { slug: 'vpn-setup', title: 'Set up the VPN', status: 'published', body: 'Install the VPN client.' },
    ];
    for (const d of docs) expect((await admin.post('/api/v1/documents', d)).status).toBe(201);
    mcp = await mcpClient(t.baseUrl, agent.token!);
    client = mcp.client;
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.close();
  });
  beforeEach(() => {
    calls = 0;
  });

  it('answers a customer from the knowledge base and resolves the ticket (≤ 5 calls)', async () => {
    const created = await admin.post('/api/v1/tickets', {
      title: 'How do I reset my password?',
      description: 'I forgot my password and cannot sign in.',
      requesterEmail: 'sam@customer.example',
      priority: 'high',
    });
    const number = created.body.number as number;

    const ticket = await call('get_ticket', { number });
    const found = await call('search_knowledge', { query: ticket.out.title, limit: 3 });
    const best = found.out.results[0];
    expect(best.title).toBe('Reset your password');
    expect(best.url).toBe(`${t.baseUrl}/help/reset-password`);
    const replied = await call('comment_on_ticket', {
      number,
      body: `You can reset it yourself: ${best.url}`,
      status: 'resolved',
    });
    expect(replied.out.ticket).toEqual({ number, version: ticket.out.version + 1, status: 'resolved' });
    // The reply's version chains into the next write: no conflict from the agent's own comment.
    const tagged = await call('update_ticket', {
      number,
      expectedVersion: replied.out.ticket.version,
      tags: ['password'],
    });
    expect(tagged.out).toMatchObject({ status: 'resolved', tags: ['password'] });
    expect(calls).toBeLessThanOrEqual(5);

    const after = await admin.get(`/api/v1/tickets/${number}`);
    expect(after.body).toMatchObject({ status: 'resolved', firstResponseAt: expect.any(String) });
    expect((await fetch(best.url)).status).toBe(200);
  });

  it('triages the three new urgent tickets (≤ 6 calls)', async () => {
    const since = new Date().toISOString();
    await admin.post('/api/v1/tickets', {
      title: 'Invoice question',
      description: 'normal noise',
      requesterEmail: 'noise@customer.example',
      priority: 'normal',
    });
    const urgent: number[] = [];
    for (const title of ['Checkout is down', 'Cannot sign in at all', 'Data export fails']) {
      const res = await admin.post('/api/v1/tickets', {
        title,
        description: 'Everything is broken',
        requesterEmail: 'ops@customer.example',
        priority: 'urgent',
      });
      urgent.push(res.body.number);
    }

    const me = await call('whoami', {});
    expect(me.out).toMatchObject({ id: agent.userId, role: 'agent' });
    const list = await call('search_tickets', {
      status: ['open', 'pending'],
      priority: 'urgent',
      assigneeId: 'none',
      createdAfter: since,
      sort: 'slaDue',
      order: 'asc',
    });
    expect(list.out.tickets.map((x: Out) => x.number)).toEqual(urgent);
    // The text a client hands the model carries age, requester and SLA due.
    expect(list.text).toContain('from ops@customer.example');
    expect(list.text).toMatch(/old/);
    expect(list.text).toMatch(/SLA due in \d+m/);
    for (const ticket of list.out.tickets as Out[]) {
      await call('update_ticket', {
        number: ticket.number,
        expectedVersion: ticket.version,
        assigneeId: me.out.id,
        status: 'pending',
        tags: [...ticket.tags, 'triaged'],
      });
    }
    expect(calls).toBeLessThanOrEqual(6);

    const mine = await call('search_tickets', {
      assigneeId: agent.userId,
      tags: ['triaged'],
      sort: 'created',
    });
    expect(mine.out.tickets.map((x: Out) => x.number).sort()).toEqual([...urgent].sort());
    expect(mine.out.tickets.every((x: Out) => x.status === 'pending')).toBe(true);
  });

  it('drafts an article from a solved ticket for review (≤ 4 calls)', async () => {
    const created = await admin.post('/api/v1/tickets', {
      title: 'Printer shows error 42',
      description: 'The office printer shows error 42 after toner change.',
      requesterEmail: 'pat@customer.example',
    });
    const number = created.body.number as number;
    await admin.post(`/api/v1/tickets/${number}/comments`, {
      body: 'Open the back panel and reseat the toner until it clicks; error 42 clears.',
      status: 'resolved',
    });

    const solved = await call('search_tickets', { status: 'resolved', query: 'printer error 42' });
    const source = solved.out.tickets[0];
    expect(source.number).toBe(number);
    const full = await call('get_ticket', { number });
    const answer = full.out.comments.at(-1).body as string;
    const draft = await call('create_document', {
      slug: 'printer-error-42',
      title: 'Fix printer error 42',
      body: `## Symptom\n\n${full.out.description}\n\n## Fix\n\n${answer}\n\n(From ticket #${number}.)`,
      tags: ['printer'],
      status: 'draft',
    });
    expect(draft.out).toMatchObject({ status: 'draft', version: 1 });
    expect(draft.out.url).toBeUndefined();
    expect(calls).toBeLessThanOrEqual(4);
    // A draft is for review: not on the public help center.
    expect((await fetch(`${t.baseUrl}/help/printer-error-42`)).status).toBe(404);
  });
});
