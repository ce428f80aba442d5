import { DatabaseService } from '@app/database';
import { TicketsService } from '@app/tickets';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient, type OpenApiDocument, type Schemas } from './support/http';
import { mcpClient } from './support/mcp-client';
import { expectNothingWritten } from './support/no-writes';

type Client = ApiClient & { userId: string; email: string };

describe('tickets over REST (real app, real database)', () => {
  let t: TestApp;
  let db: DatabaseService;
  let admin: ApiClient;
  let agent: Client;
  let agent2: Client;
  let viewer: Client;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DatabaseService);
    admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    agent2 = await userClient(t.baseUrl, admin, 'agent');
    viewer = await userClient(t.baseUrl, admin, 'viewer');
  });
  afterAll(() => t?.close());

  const events = (entityId: string, event?: string) =>
    db.prisma.event.findMany({ where: { entityId, ...(event ? { event } : {}) }, orderBy: { id: 'asc' } });
  const audits = (number: number, action: string) =>
    db.prisma.auditLog.findMany({ where: { targetType: 'ticket', targetId: String(number), action } });
  let seq = 0;
  const newTicket = async (extra: Partial<Schemas['CreateTicketDto']> = {}, as: ApiClient = agent) => {
    const res = await as.post('/api/v1/tickets', {
      title: `Printer on floor ${++seq} is jammed`,
      description: 'Paper keeps jamming in tray 2.',
      requesterEmail: 'someone@example.test',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('creates a ticket for an unknown requester, who becomes a viewer without a password', async () => {
    const email = `new-requester-${Date.now()}@example.test`;
    const res = await agent.post('/api/v1/tickets', {
      title: 'Cannot reset my password',
      description: 'The reset link says it has expired.',
      requesterEmail: email.toUpperCase(),
      tags: ['Login', 'login', ' email '],
    });
    expect(res.status).toBe(201);
    const ticket = res.body;
    expect(ticket).toMatchObject({
      number: expect.any(Number),
      status: 'open',
      priority: 'normal',
      version: 1,
      tags: ['login', 'email'],
      assigneeId: null,
      assignee: null,
      slaDueAt: null,
      requester: { id: ticket.requesterId, email, name: expect.any(String) },
    });

    const users = await admin.get(`/api/v1/users?q=${encodeURIComponent(email)}`);
    expect(users.body.items).toEqual([
      expect.objectContaining({ id: ticket.requesterId, email, role: 'viewer' }),
    ]);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email } });
    expect(row.passwordHash).toBeNull();

    expect((await events(ticket.requesterId, 'user.created')).length).toBe(1);
    const created = await events(ticket.id);
    expect(created.map((e) => e.event)).toEqual(['ticket.created']);
    expect(created[0].payload).toMatchObject({ number: ticket.number, version: 1 });
    expect(await audits(ticket.number, 'ticket.create')).toHaveLength(1);

    // A second ticket for the same address reuses the user; numbers increase.
    const again = await newTicket({ requesterEmail: email });
    expect(again.requesterId).toBe(ticket.requesterId);
    expect(again.number).toBeGreaterThan(ticket.number);
    expect((await events(ticket.requesterId, 'user.created')).length).toBe(1);
  });

  it('defaults the requester to the caller, takes requesterId, and validates input', async () => {
    const own = await newTicket({ requesterEmail: undefined });
    expect(own.requesterId).toBe(agent.userId);
    const byId = await newTicket({ requesterEmail: undefined, requesterId: viewer.userId });
    expect(byId.requester).toMatchObject({ id: viewer.userId, email: viewer.email });

    const bad = await agent.raw.post('/api/v1/tickets', { description: 'x', priority: 'asap', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.problem.errors?.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['title', 'priority', 'extra']),
    );
    const both = await agent.post('/api/v1/tickets', {
      title: 'x',
      description: 'y',
      requesterEmail: 'a@example.test',
      requesterId: viewer.userId,
    });
    expect(both.status).toBe(400);
    expect(both.problem.errors?.[0].field).toBe('requesterId');
    const unknown = await agent.post('/api/v1/tickets', {
      title: 'x',
      description: 'y',
      requesterId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.problem.errors).toEqual([{ field: 'requesterId', message: 'no user with this id' }]);
  });

  it('answers 404 for an unknown number and 400 for a malformed one', async () => {
    const missing = await agent.get('/api/v1/tickets/999999');
    expect(missing.status).toBe(404);
    expect(missing.problem.detail).toContain('999999');
    const malformed = await agent.get('/api/v1/tickets/abc');
    expect(malformed.status).toBe(400);
    expect(malformed.problem.errors?.[0].field).toBe('number');
  });

  it('sets the first-response deadline for urgent/high and follows priority changes', async () => {
    const urgent = await newTicket({ priority: 'urgent' });
    const created = Date.parse(urgent.createdAt);
    expect(Date.parse(urgent.slaDueAt ?? 'none') - created).toBe(
      t.config.slaFirstResponseMinutes.urgent * 60_000,
    );
    const high = await agent.patch(`/api/v1/tickets/${urgent.number}`, { priority: 'high' });
    expect(Date.parse(high.body.slaDueAt ?? 'none') - created).toBe(
      t.config.slaFirstResponseMinutes.high * 60_000,
    );
    const normal = await agent.patch(`/api/v1/tickets/${urgent.number}`, { priority: 'normal' });
    expect(normal.body.slaDueAt).toBeNull();
  });

  it('moves along the workflow, stamps resolvedAt/closedAt, and refuses illegal moves', async () => {
    const ticket = await newTicket();
    const path = `/api/v1/tickets/${ticket.number}` as const;
    const move = async (status: Schemas['TicketResponse']['status']) => {
      const res = await agent.patch(path, { status });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      return res.body;
    };
    await move('pending');
    await move('open');
    const resolved = await move('resolved');
    expect(resolved.resolvedAt).not.toBeNull();
    const closed = await move('closed');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.resolvedAt).toBe(resolved.resolvedAt);

    const illegal = await agent.patch(path, { status: 'resolved' });
    expect(illegal.status).toBe(409);
    expect(illegal.headers.get('content-type')).toContain('application/problem+json');
    expect(illegal.body).toMatchObject({
      status: 409,
      title: 'Conflict',
      detail: `ticket ${ticket.number} cannot go from closed to resolved; from closed it can go to: open`,
      currentStatus: 'closed',
      allowedStatuses: ['open'],
    });

    const reopened = await move('open');
    expect(reopened).toMatchObject({ resolvedAt: null, closedAt: null, version: 6 });

    // Setting the current status (or nothing new) is no change: no version, no event.
    const same = await agent.patch(path, { status: 'open', tags: [] });
    expect(same.body.version).toBe(6);

    const updates = await events(ticket.id, 'ticket.updated');
    expect(updates.map((e) => (e.payload as { status: string }).status)).toEqual([
      'pending',
      'open',
      'resolved',
      'closed',
      'open',
    ]);
    expect(updates.map((e) => (e.payload as { version: number }).version)).toEqual([2, 3, 4, 5, 6]);
    const audit = await audits(ticket.number, 'ticket.update');
    expect(audit).toHaveLength(5);
    expect(audit.every((a) => a.outcome === 'success' && a.actorId === agent.userId)).toBe(true);
  });

  it('loses no update when two writers send the same If-Match', async () => {
    const ticket = await newTicket();
    const path = `/api/v1/tickets/${ticket.number}` as const;
    const [a, b] = await Promise.all([
      agent.patch(path, { title: 'Title from A' }, { 'If-Match': '1' }),
      agent2.patch(path, { priority: 'urgent' }, { 'If-Match': '1' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({ status: 409, expectedVersion: 1, currentVersion: 2 });
    const now = (await agent.get(path)).body;
    expect(now.version).toBe(2);
    expect(now.title === 'Title from A' ? now.priority : now.title).toBe(
      now.title === 'Title from A' ? 'normal' : ticket.title,
    );
    expect(await events(ticket.id, 'ticket.updated')).toHaveLength(1);

    const stale = await agent.patch(path, { expectedVersion: 1, tags: ['x'] });
    expect(stale.status).toBe(409);
    expect(stale.problem.currentVersion).toBe(2);
    const fresh = await agent.patch(path, { expectedVersion: 2, tags: ['x'] });
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(3);
  });

  it('50 racing writers with the same If-Match: exactly one wins per version, no update lost', async () => {
    const ticket = await newTicket();
    const path = `/api/v1/tickets/${ticket.number}` as const;
    const writers = [agent, agent2, admin];
    let current: { version: number; tags: string[] } = (await agent.get(path)).body;
    const won: string[] = [];
    for (let round = 0; round < 3; round++) {
      // Every writer read the same version and adds its own tag to the tags it read.
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          writers[i % writers.length].patch(
            path,
            { tags: [...current.tags, `r${round}-w${i}`] },
            { 'If-Match': String(current.version) },
          ),
        ),
      );
      const winners = answers.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      const losers = answers.filter((r) => r.status !== 200);
      expect(losers.map((r) => r.status)).toEqual(Array(49).fill(409));
      expect(losers.every((r) => r.problem.currentVersion === current.version + 1)).toBe(true);
      current = winners[0].body;
      expect(current.version).toBe(round + 2);
      won.push(current.tags[current.tags.length - 1]);
    }
    // Each winner built on the previous winner's write: all three tags are there, in order.
    const final = (await agent.get(path)).body;
    expect(final).toMatchObject({ version: 4, tags: won });
    const updates = await events(ticket.id, 'ticket.updated');
    expect(updates.map((e) => (e.payload as { version: number }).version)).toEqual([2, 3, 4]);
  });

  it('assigns only active agents or admins', async () => {
    const ticket = await newTicket();
    const path = `/api/v1/tickets/${ticket.number}` as const;
    const toViewer = await agent.patch(path, { assigneeId: viewer.userId });
    expect(toViewer.status).toBe(400);
    expect(toViewer.problem.errors).toEqual([
      { field: 'assigneeId', message: expect.stringContaining('viewer') },
    ]);
    const ok = await agent.patch(path, { assigneeId: agent2.userId });
    expect(ok.status).toBe(200);
    expect(ok.body.assignee).toEqual({ id: agent2.userId, email: agent2.email, name: expect.any(String) });
    const unassigned = await agent.patch(path, { assigneeId: null });
    expect(unassigned.body).toMatchObject({ assigneeId: null, assignee: null, version: 3 });
    const onCreate = await agent.post('/api/v1/tickets', {
      title: 'x',
      description: 'y',
      assigneeId: viewer.userId,
    });
    expect(onCreate.status).toBe(400);
    expect(onCreate.problem.errors?.[0].field).toBe('assigneeId');
  });

  it('keeps internal comments from viewers and stamps the first agent reply', async () => {
    const ticket = await newTicket({ priority: 'urgent', requesterEmail: viewer.email });
    const path = `/api/v1/tickets/${ticket.number}` as const;

    const note = await agent.post(`${path}/comments`, {
      body: 'Looks like the SSO bug again',
      internal: true,
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ internal: true, authorId: agent.userId, ticketNumber: ticket.number });
    expect((await agent.get(path)).body.firstResponseAt).toBeNull();

    const comments = async () => (await agent.get(`${path}/comments`)).body.items.map((c) => c.id);
    const denied = await expectNothingWritten(t.app, comments, () =>
      viewer.post(`${path}/comments`, { body: 'hello?' }),
    );
    expect(denied.status).toBe(403);
    expect(denied.problem.detail).toContain('tickets:write');

    const reply = await agent2.post(`${path}/comments`, { body: 'We are on it.' });
    expect(reply.status).toBe(201);
    expect(reply.body.author).toMatchObject({ id: agent2.userId, email: agent2.email });
    const afterReply = (await agent.get(path)).body;
    expect(afterReply.firstResponseAt).toBe(reply.body.createdAt);
    expect(afterReply.version).toBe(3);

    await agent.post(`${path}/comments`, { body: 'Fixed, please retry.' });
    const asAgent = (await agent.get(path)).body;
    expect(asAgent.firstResponseAt).toBe(reply.body.createdAt);
    expect(asAgent.comments.map((c: { body: string }) => c.body)).toEqual([
      'Looks like the SSO bug again',
      'We are on it.',
      'Fixed, please retry.',
    ]);
    const asViewer = (await viewer.get(path)).body;
    expect(asViewer.comments.map((c: { internal: boolean }) => c.internal)).toEqual([false, false]);
    const viewerList = await viewer.get(`${path}/comments`);
    expect(viewerList.body.items).toHaveLength(2);

    // Comment pages: oldest first, no overlap.
    const p1 = await agent.get(`${path}/comments?limit=2`);
    const p2 = await agent.get(`${path}/comments?limit=2&cursor=${p1.body.nextCursor}`);
    expect([...p1.body.items, ...p2.body.items].map((c: { body: string }) => c.body)).toEqual(
      asAgent.comments.map((c: { body: string }) => c.body),
    );
    expect(p2.body.nextCursor).toBeNull();

    const commented = await events(ticket.id, 'ticket.commented');
    expect(commented).toHaveLength(3);
    const first = commented[0].payload as { number: number; comment: Record<string, unknown> };
    expect(first.number).toBe(ticket.number);
    expect(first.comment).toMatchObject({ id: note.body.id, internal: true });
    expect(first.comment.body).toBeUndefined();
    expect((commented[1].payload as { comment: { body: string } }).comment.body).toBe('We are on it.');
    expect(await audits(ticket.number, 'ticket.comment')).toHaveLength(3);
  });

  it("does not count the requester's own comment as the first response", async () => {
    const ticket = await newTicket({ requesterEmail: agent.email });
    await agent.post(`/api/v1/tickets/${ticket.number}/comments`, { body: 'More details from me' });
    expect((await agent.get(`/api/v1/tickets/${ticket.number}`)).body.firstResponseAt).toBeNull();
  });

  it('filters and pages without overlap or gap', async () => {
    const tag = `batch-${Date.now()}`;
    const made: { number: number }[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(
        await newTicket({
          tags: [tag],
          priority: i % 2 ? 'high' : 'low',
          requesterEmail: i < 3 ? 'filter-a@example.test' : 'filter-b@example.test',
          ...(i === 0 ? { assigneeId: agent2.userId } : {}),
          ...(i === 1 ? { description: 'The quarterly invoice export crashes' } : {}),
        }),
      );
    }
    const expected = made.map((m) => m.number).sort((a, b) => b - a);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { number: number }[]; nextCursor: string | null } } = await viewer.get(
        `/api/v1/tickets?tag=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.items.map((x) => x.number));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const numbers = async (qs: string) =>
      (await viewer.get(`/api/v1/tickets?tag=${tag}&${qs}`)).body.items.map(
        (x: { number: number }) => x.number,
      );
    expect(await numbers('priority=high')).toHaveLength(3);
    expect(await numbers('requesterEmail=FILTER-A@example.test')).toHaveLength(3);
    expect(await numbers(`assigneeId=${agent2.userId}`)).toEqual([made[0].number]);
    expect(await numbers('assigneeId=none')).toHaveLength(6);
    expect(await numbers('status=closed')).toEqual([]);
    expect(await numbers('q=invoices%20exporting')).toEqual([made[1].number]);
    expect(await numbers(`q=%23${made[4].number}`)).toEqual([made[4].number]);
    expect(await numbers('q=jammed&priority=low')).toHaveLength(4);

    // Ranked search pages cover the result set once each.
    const searchSeen: number[] = [];
    cursor = null;
    do {
      const res: { body: { items: { number: number }[]; nextCursor: string | null } } = await viewer.get(
        `/api/v1/tickets?tag=${tag}&q=printer%20invoice&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      searchSeen.push(...res.body.items.map((x) => x.number));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(searchSeen[0]).toBe(made[1].number);
    expect([...searchSeen].sort((a, b) => b - a)).toEqual(expected);

    const bad = await viewer.get('/api/v1/tickets?status=done&assigneeId=bob&cursor=zzz');
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['status', 'assigneeId']),
    );
    const badCursor = await viewer.get('/api/v1/tickets?cursor=zzz');
    expect(badCursor.status).toBe(400);
    expect(badCursor.problem.errors?.[0].field).toBe('cursor');
  });

  it('marks an SLA breach once, and never after a first response', async () => {
    const tickets = t.app.get(TicketsService);
    const late = await newTicket({ priority: 'urgent' });
    const answered = await newTicket({ priority: 'high' });
    await agent.post(`/api/v1/tickets/${answered.number}/comments`, { body: 'On it' });
    expect(await tickets.markSlaBreached(late.number)).toBe(false); // not due yet

    const past = new Date(Date.now() - 60_000);
    await db.prisma.ticket.updateMany({
      where: { number: { in: [late.number, answered.number] } },
      data: { slaDueAt: past },
    });
    expect(await tickets.listSlaDue()).toContain(late.number);
    expect(await tickets.listSlaDue()).not.toContain(answered.number);
    const fired = await Promise.all([
      tickets.markSlaBreached(late.number),
      tickets.markSlaBreached(late.number),
    ]);
    expect(fired.sort()).toEqual([false, true]);
    expect(await tickets.markSlaBreached(late.number)).toBe(false);
    expect(await tickets.markSlaBreached(answered.number)).toBe(false);

    const breached = await events(late.id, 'ticket.sla_breached');
    expect(breached).toHaveLength(1);
    expect(breached[0].payload).toMatchObject({
      number: late.number,
      slaBreachedAt: expect.any(String),
      version: 2,
    });
    expect((await agent.get(`/api/v1/tickets/${late.number}`)).body.slaBreachedAt).not.toBeNull();
    expect(await events(answered.id, 'ticket.sla_breached')).toHaveLength(0);
  });

  it('serves dashboard figures', async () => {
    const before = (await viewer.get('/api/v1/stats')).body;
    const ticket = await newTicket({ priority: 'urgent' });
    await agent.patch(`/api/v1/tickets/${ticket.number}`, { status: 'resolved' });
    await newTicket({ priority: 'urgent' });
    const res = await viewer.get('/api/v1/stats');
    expect(res.status).toBe(200);
    const stats = res.body;
    expect(stats.documents).toEqual({ draft: 0, published: 0, archived: 0 });
    expect(stats.tickets.openByPriority.urgent).toBe(before.tickets.openByPriority.urgent + 1);
    expect(Object.keys(stats.tickets.openByPriority)).toEqual(['low', 'normal', 'high', 'urgent']);
    expect(stats.ticketsPerDay).toHaveLength(30);
    const today = stats.ticketsPerDay[29];
    const todayBefore = before.ticketsPerDay[29];
    if (today.day === todayBefore.day) {
      expect(today.opened).toBe(todayBefore.opened + 2);
      expect(today.resolved).toBe(todayBefore.resolved + 1);
    }
    expect(stats.ticketsPerDay[0].day < today.day).toBe(true);
    expect(stats.searchesPerDay).toHaveLength(30);
    expect((await api(t.baseUrl).get('/api/v1/stats')).status).toBe(401);
  });

  it('requires tickets:write to create or change tickets, and a refusal writes nothing', async () => {
    const ticket = await newTicket();
    const state = async () => ({
      count: await db.prisma.ticket.count(),
      ticket: (await agent.get(`/api/v1/tickets/${ticket.number}`)).body,
    });
    const created = await expectNothingWritten(t.app, state, () =>
      viewer.post('/api/v1/tickets', { title: 'x', description: 'y' }),
    );
    expect(created.status).toBe(403);
    const changed = await expectNothingWritten(t.app, state, () =>
      viewer.patch(`/api/v1/tickets/${ticket.number}`, { status: 'closed' }),
    );
    expect(changed.status).toBe(403);
    expect((await viewer.get(`/api/v1/tickets/${ticket.number}`)).status).toBe(200);
  });

  it('documents the ticket and stats routes in OpenAPI', async () => {
    const doc = (await api(t.baseUrl).raw.get<OpenApiDocument>('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tickets',
        '/api/v1/tickets/{number}',
        '/api/v1/tickets/{number}/comments',
        '/api/v1/stats',
      ]),
    );
    const patch = doc.paths['/api/v1/tickets/{number}'].patch;
    expect(patch.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['number', 'If-Match']));
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.components.schemas.TicketResponse.properties?.requester).toBeDefined();
  });

  it('walks the channel field through REST, OpenAPI and MCP (input, output, filter)', async () => {
    const phone = await newTicket({ channel: 'phone', title: 'Caller cannot print invoices' });
    expect(phone).toMatchObject({ channel: 'phone', version: 1 });
    expect((await newTicket()).channel).toBe('api');
    const bad = await agent.raw.post('/api/v1/tickets', { title: 'x', description: '', channel: 'fax' });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field)).toEqual(['channel']);

    const moved = await agent.patch(`/api/v1/tickets/${phone.number}`, { channel: 'email' });
    expect(moved.body).toMatchObject({ channel: 'email', version: 2 });
    const same = await agent.patch(`/api/v1/tickets/${phone.number}`, { channel: 'email' });
    expect(same.body.version).toBe(2);

    const listed = await viewer.get('/api/v1/tickets?channel=email&limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((x: { channel: string }) => x.channel === 'email')).toBe(true);
    expect(listed.body.items.map((x: { number: number }) => x.number)).toContain(phone.number);
    const searched = await viewer.get('/api/v1/tickets?q=invoices&channel=email');
    expect(searched.body.items.map((x: { number: number }) => x.number)).toEqual([phone.number]);
    const none = await viewer.get('/api/v1/tickets?q=invoices&channel=chat');
    expect(none.body.items).toEqual([]);

    const doc = (await api(t.baseUrl).raw.get<OpenApiDocument>('/api/openapi.json')).body;
    const channels = ['email', 'chat', 'phone', 'api'];
    expect(doc.components.schemas.TicketResponse.properties?.channel.enum).toEqual(channels);
    expect(doc.components.schemas.CreateTicketDto.properties?.channel.enum).toEqual(channels);
    expect(doc.components.schemas.UpdateTicketDto.properties?.channel.enum).toEqual(channels);
    const query = doc.paths['/api/v1/tickets'].get.parameters?.find((p) => p.name === 'channel');
    expect(query?.schema?.enum).toEqual(channels);

    const mcp = await mcpClient(t.baseUrl, agent.token!);
    try {
      const { tools } = await mcp.client.listTools();
      const byName = new Map(tools.map((x) => [x.name, x]));
      for (const name of ['create_ticket', 'update_ticket', 'search_tickets']) {
        expect(
          (byName.get(name)!.inputSchema.properties as Record<string, { enum?: string[] }>).channel.enum,
        ).toEqual(channels);
      }
      const created = await mcp.client.callTool({
        name: 'create_ticket',
        arguments: {
          title: 'Chat: invoices missing',
          description: 'From the chat widget',
          requesterEmail: 'c@example.test',
          channel: 'chat',
        },
      });
      expect(created.isError).toBeFalsy();
      const ticket = created.structuredContent as { number: number; channel: string };
      expect(ticket.channel).toBe('chat');
      const found = await mcp.client.callTool({
        name: 'search_tickets',
        arguments: { channel: 'chat', limit: 100 },
      });
      const numbers = (found.structuredContent as { tickets: { number: number; channel: string }[] }).tickets;
      expect(numbers.map((x) => x.number)).toContain(ticket.number);
      expect(numbers.every((x) => x.channel === 'chat')).toBe(true);
    } finally {
      await mcp.close();
    }
  });

  it('walks the dueAt field through REST, OpenAPI and MCP (input, output, filter)', async () => {
    const promised = '2031-03-04T05:06:07.000Z';
    const soon = await newTicket({ dueAt: promised, title: 'Promised a refund answer' });
    expect(soon).toMatchObject({ dueAt: promised, slaDueAt: null, version: 1 });
    const undated = await newTicket({ title: 'Refund question without a promise' });
    expect(undated.dueAt).toBeNull();
    const bad = await agent.raw.post('/api/v1/tickets', { title: 'x', description: '', dueAt: 'next week' });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field)).toEqual(['dueAt']);

    const later = '2031-03-10T12:00:00.000Z';
    const moved = await agent.patch(`/api/v1/tickets/${soon.number}`, { dueAt: later });
    expect(moved.body).toMatchObject({ dueAt: later, version: 2 });
    // The same instant written another way changes nothing: no new version.
    const same = await agent.patch(`/api/v1/tickets/${soon.number}`, { dueAt: '2031-03-10T12:00:00Z' });
    expect(same.body).toMatchObject({ dueAt: later, version: 2 });
    expect((await viewer.get(`/api/v1/tickets/${soon.number}`)).body.dueAt).toBe(later);

    const far = await newTicket({ dueAt: '2031-06-01T00:00:00.000Z', title: 'Promised a refund follow-up' });
    const bound = '2031-04-01T00:00:00.000Z';
    const listed = await viewer.get(`/api/v1/tickets?dueBefore=${bound}&limit=100`);
    expect(listed.status).toBe(200);
    const listedNumbers = listed.body.items.map((x) => x.number);
    expect(listedNumbers).toContain(soon.number);
    expect(listedNumbers).not.toContain(far.number);
    expect(listedNumbers).not.toContain(undated.number);
    expect(listed.body.items.every((x) => x.dueAt !== null && x.dueAt < bound)).toBe(true);
    const searched = await viewer.get(`/api/v1/tickets?q=refund&dueBefore=${bound}`);
    expect(searched.body.items.map((x) => x.number)).toEqual([soon.number]);
    const badFilter = await viewer.raw.get('/api/v1/tickets?dueBefore=tomorrow');
    expect(badFilter.status).toBe(400);
    expect(badFilter.problem.errors?.map((e: { field: string }) => e.field)).toEqual(['dueBefore']);

    // A list filter is a saved-view filter too.
    const view = await agent.post('/api/v1/ticket-views', {
      name: 'Promised soon',
      query: { dueBefore: bound },
    });
    expect(view.status).toBe(201);
    expect(view.body.query).toEqual({ dueBefore: bound });

    const cleared = await agent.patch(`/api/v1/tickets/${far.number}`, { dueAt: null });
    expect(cleared.body).toMatchObject({ dueAt: null, version: 2 });

    const doc = (await api(t.baseUrl).raw.get<OpenApiDocument>('/api/openapi.json')).body;
    type Node = { format?: string };
    const prop = (schema: string) => doc.components.schemas[schema].properties?.dueAt as Node | undefined;
    for (const schema of ['TicketResponse', 'CreateTicketDto', 'UpdateTicketDto'])
      expect(prop(schema)?.format).toBe('date-time');
    const query = doc.paths['/api/v1/tickets'].get.parameters?.find((p) => p.name === 'dueBefore');
    expect((query?.schema as Node | undefined)?.format).toBe('date-time');

    const mcp = await mcpClient(t.baseUrl, agent.token!);
    try {
      const { tools } = await mcp.client.listTools();
      const byName = new Map(tools.map((x) => [x.name, x]));
      type McpNode = Node & { anyOf?: Node[] };
      const input = (name: string) => byName.get(name)!.inputSchema.properties as Record<string, McpNode>;
      // A nullable date-time is anyOf [date-time, null] in the tools' JSON Schema.
      const formats = (n: McpNode) => [n.format, ...(n.anyOf ?? []).map((x) => x.format)];
      expect(formats(input('create_ticket').dueAt)).toContain('date-time');
      expect(formats(input('update_ticket').dueAt)).toContain('date-time');
      expect(input('search_tickets').dueBefore.format).toBe('date-time');
      expect(byName.get('get_ticket')!.outputSchema?.properties).toHaveProperty('dueAt');

      const created = await mcp.client.callTool({
        name: 'create_ticket',
        arguments: {
          title: 'Chat: promised a callback',
          description: 'From the chat widget',
          requesterEmail: 'c@example.test',
          dueAt: '2031-03-20T09:00:00.000Z',
        },
      });
      expect(created.isError).toBeFalsy();
      const made = created.structuredContent as { number: number; dueAt: string | null; version: number };
      expect(made.dueAt).toBe('2031-03-20T09:00:00.000Z');
      const updated = await mcp.client.callTool({
        name: 'update_ticket',
        arguments: { number: made.number, expectedVersion: made.version, dueAt: '2031-03-21T09:00:00.000Z' },
      });
      expect(updated.isError).toBeFalsy();
      const got = await mcp.client.callTool({ name: 'get_ticket', arguments: { number: made.number } });
      expect((got.structuredContent as { dueAt: string | null }).dueAt).toBe('2031-03-21T09:00:00.000Z');
      const found = await mcp.client.callTool({
        name: 'search_tickets',
        arguments: { dueBefore: bound, limit: 100 },
      });
      const hits = (found.structuredContent as { tickets: { number: number; dueAt: string | null }[] })
        .tickets;
      expect(hits.map((x) => x.number)).toEqual(expect.arrayContaining([soon.number, made.number]));
      expect(hits.map((x) => x.number)).not.toContain(far.number);
      expect(hits.every((x) => x.dueAt !== null && x.dueAt < bound)).toBe(true);
      const refused = await mcp.client.callTool({
        name: 'search_tickets',
        arguments: { dueBefore: 'soon' },
      });
      expect(refused.isError).toBe(true);
    } finally {
      await mcp.close();
    }
  });
});
