import { expectNothingWritten } from './support/no-writes';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient } from './support/http';

// Server endpoints the web admin's support workflow relies on.
describe('admin support workflow endpoints (real app, real database)', () => {
  let t: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  }, 300_000);
  afterAll(() => t?.close());

  const newTicket = async (title: string) => {
    const res = await admin.post('/api/v1/tickets', {
      title,
      description: 'Needs help.',
      requesterEmail: 'queue@example.test',
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('lists tickets in any of several statuses (the dashboard’s unresolved count links here)', async () => {
    const a = await newTicket('Status list open');
    const b = await newTicket('Status list pending');
    const c = await newTicket('Status list resolved');
    expect((await admin.patch(`/api/v1/tickets/${b.number}`, { status: 'pending' })).status).toBe(200);
    expect((await admin.patch(`/api/v1/tickets/${c.number}`, { status: 'resolved' })).status).toBe(200);
    const listed = await admin.get('/api/v1/tickets?status=open,pending&limit=100');
    expect(listed.status).toBe(200);
    const numbers = listed.body.items.map((x) => x.number);
    expect(numbers).toEqual(expect.arrayContaining([a.number, b.number]));
    expect(numbers).not.toContain(c.number);
    const searched = await admin.get('/api/v1/tickets?status=open,pending&q=Status%20list');
    expect(searched.body.items.map((x) => x.number).sort()).toEqual([a.number, b.number].sort());
    const bad = await admin.get('/api/v1/tickets?status=open,nope');
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.[0].field).toBe('status');
  });

  it('sorts the list by priority, SLA due or last change, offset-paginated; not with a text query', async () => {
    const low = await newTicket('Sort low');
    const urgent = await newTicket('Sort urgent');
    await admin.patch(`/api/v1/tickets/${low.number}`, { priority: 'low' });
    await admin.patch(`/api/v1/tickets/${urgent.number}`, { priority: 'urgent' });
    const byPriority = await admin.get('/api/v1/tickets?sort=priority&limit=100');
    expect(byPriority.status).toBe(200);
    const order = byPriority.body.items.map((x) => x.priority);
    expect(order[0]).toBe('urgent');
    expect(order[order.length - 1]).toBe('low');
    const asc = await admin.get('/api/v1/tickets?sort=priority&order=asc&limit=1');
    expect(asc.body.items[0].priority).toBe('low');
    const next = await admin.get(
      `/api/v1/tickets?sort=priority&order=asc&limit=1&cursor=${asc.body.nextCursor}`,
    );
    expect(next.body.items[0].number).not.toBe(asc.body.items[0].number);
    const updated = await admin.get('/api/v1/tickets?sort=updated&limit=1');
    expect(updated.body.items[0].number).toBe(urgent.number);
    const withQuery = await admin.get('/api/v1/tickets?sort=priority&q=sort');
    expect(withQuery.status).toBe(400);
    expect((await admin.get('/api/v1/tickets?sort=nope')).status).toBe(400);
  });

  it('saved views: per user, shared views readable by others, only the owner changes them', async () => {
    const agent = await userClient(t.baseUrl, admin, 'agent');
    const created = await admin.post('/api/v1/ticket-views', {
      name: 'Urgent unassigned',
      query: { status: 'open,pending', priority: 'urgent', assigneeId: 'none', sort: 'slaDue', order: 'asc' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Urgent unassigned', shared: false, mine: true, version: 1 });
    expect((await admin.get('/api/v1/ticket-views')).body.items.map((v) => v.id)).toContain(created.body.id);
    // Private: another agent neither lists nor reads it.
    expect((await agent.get('/api/v1/ticket-views')).body.items).toEqual([]);
    expect((await agent.get(`/api/v1/ticket-views/${created.body.id}`)).status).toBe(404);
    // Shared: listed and readable, still not writable by others.
    const shared = await admin.patch(
      `/api/v1/ticket-views/${created.body.id}`,
      { shared: true },
      { 'If-Match': '1' },
    );
    expect(shared.body).toMatchObject({ shared: true, version: 2 });
    const theirs = (await agent.get('/api/v1/ticket-views')).body.items;
    expect(theirs).toEqual([expect.objectContaining({ id: created.body.id, mine: false })]);
    // Someone else's view: refused, and left as it was.
    const view = async () => (await admin.get(`/api/v1/ticket-views/${created.body.id}`)).body;
    const renamed = await expectNothingWritten(t.app, view, () =>
      agent.patch(`/api/v1/ticket-views/${created.body.id}`, { name: 'Mine now' }),
    );
    expect(renamed.status).toBe(403);
    const removed = await expectNothingWritten(t.app, view, () =>
      agent.delete(`/api/v1/ticket-views/${created.body.id}`),
    );
    expect(removed.status).toBe(403);
    // Stale version, unknown query keys, bad statuses: clear 409/400s.
    const stale = await admin.patch(
      `/api/v1/ticket-views/${created.body.id}`,
      { name: 'x' },
      { 'If-Match': '1' },
    );
    expect(stale.status).toBe(409);
    expect(stale.problem.currentVersion).toBe(2);
    const bad = await admin.raw.post('/api/v1/ticket-views', {
      name: 'Bad',
      query: { status: 'open,nope', evil: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(bad.problem.errors?.map((e) => e.field).sort()).toEqual(['query.evil', 'query.status']);
    expect((await admin.get('/api/v1/ticket-views/not-a-uuid')).status).toBe(404);
    expect((await admin.delete(`/api/v1/ticket-views/${created.body.id}`)).status).toBe(204);
    expect((await agent.get('/api/v1/ticket-views')).body.items).toEqual([]);
    const audit = await admin.get('/api/v1/audit?action=ticket_view.delete&limit=5');
    expect(audit.body.items[0]).toMatchObject({ targetId: created.body.id, outcome: 'success' });
  });

  it('macros: placeholders checked on save, filled in for a ticket and the agent; names unique', async () => {
    const agent = await userClient(t.baseUrl, admin, 'agent');
    const ticket = (
      await admin.post('/api/v1/tickets', {
        title: 'Macro target',
        description: 'x',
        requesterEmail: 'ada.lovelace@example.test',
      })
    ).body;
    const unknown = await agent.post('/api/v1/macros', { name: 'Bad', body: 'Hi {{requester.password}}' });
    expect(unknown.status).toBe(400);
    expect(unknown.problem.errors?.[0]).toMatchObject({ field: 'body' });
    expect(unknown.problem.errors?.[0].message).toContain('{{requester.password}}');
    const macro = await agent.post('/api/v1/macros', {
      name: 'Greeting',
      body: 'Hi {{requester.firstName}} ({{ requester.email }}), about #{{ticket.number}} "{{ticket.title}}". — {{agent.name}}',
    });
    expect(macro.status).toBe(201);
    expect((await agent.post('/api/v1/macros', { name: 'Greeting', body: 'again' })).status).toBe(409);
    const rendered = await agent.post(`/api/v1/macros/${macro.body.id}/render`, { ticket: ticket.number });
    expect(rendered.status).toBe(200);
    expect(rendered.body.body).toBe(
      `Hi ada.lovelace (ada.lovelace@example.test), about #${ticket.number} "Macro target". — Test agent`,
    );
    expect((await agent.post(`/api/v1/macros/${macro.body.id}/render`, { ticket: 999999 })).status).toBe(404);
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    expect((await viewer.get('/api/v1/macros')).status).toBe(403);
    // A viewer cannot write macros either, and a refusal leaves them as they are.
    const macros = async () => (await agent.get('/api/v1/macros')).body.items;
    const writes: (() => Promise<{ status: number }>)[] = [
      () => viewer.post('/api/v1/macros', { name: 'Sneaky', body: 'x' }),
      () => viewer.patch(`/api/v1/macros/${macro.body.id}`, { body: 'Changed' }),
      () => viewer.delete(`/api/v1/macros/${macro.body.id}`),
    ];
    for (const write of writes) expect((await expectNothingWritten(t.app, macros, write)).status).toBe(403);
    const edited = await admin.patch(
      `/api/v1/macros/${macro.body.id}`,
      { body: 'Bye {{agent.email}}' },
      { 'If-Match': '1' },
    );
    expect(edited.body).toMatchObject({ version: 2, body: 'Bye {{agent.email}}' });
    expect((await agent.get('/api/v1/macros')).body.items.map((m) => m.name)).toEqual(['Greeting']);
    expect((await agent.delete(`/api/v1/macros/${macro.body.id}`)).status).toBe(204);
  });

  it('activity: comments and field changes in one timeline, internal notes only for writers', async () => {
    const agent = await userClient(t.baseUrl, admin, 'agent');
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    const ticket = await newTicket('Activity timeline');
    await agent.post(`/api/v1/tickets/${ticket.number}/comments`, { body: 'Looking now.' });
    await agent.patch(`/api/v1/tickets/${ticket.number}`, { priority: 'high', assigneeId: agent.userId });
    await agent.post(`/api/v1/tickets/${ticket.number}/comments`, { body: 'Secret', internal: true });
    await agent.post(`/api/v1/tickets/${ticket.number}/comments`, { body: 'Fixed.', status: 'resolved' });
    const res = await agent.get(`/api/v1/tickets/${ticket.number}/activity`);
    expect(res.status).toBe(200);
    const summary = res.body.items.map((i) =>
      i.type === 'comment'
        ? `comment ${i.comment.body}`
        : `${i.event} ${i.changes.map((c) => `${c.field}:${c.from}→${c.to}`).join(',')}`,
    );
    expect(summary).toEqual([
      'ticket.created ',
      'comment Looking now.',
      'ticket.updated priority:normal→high,assignee:null→Test agent',
      'comment Secret',
      'comment Fixed.',
      'ticket.updated status:open→resolved',
    ]);
    expect(res.body.items[2]).toMatchObject({ type: 'change', actor: { id: agent.userId } });
    const seen = await viewer.get(`/api/v1/tickets/${ticket.number}/activity`);
    expect(seen.body.items.flatMap((i) => (i.type === 'comment' ? [i.comment.body] : []))).toEqual([
      'Looking now.',
      'Fixed.',
    ]);
    expect((await agent.get('/api/v1/tickets/999999/activity')).status).toBe(404);
  });
});
