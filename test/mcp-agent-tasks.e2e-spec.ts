import { execFile } from 'node:child_process';
import * as os from 'node:os';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DatabaseService } from '@app/database';
import { TicketsService } from '@app/tickets';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient, type Schemas } from './support/http';
import { mcpClient } from './support/mcp-client';
import { expectNothingWritten } from './support/no-writes';

// Three support tasks done through MCP alone, the way an agent would, with the number of tool
// calls counted: the tool surface should let an agent finish them in as few calls as a person.

type Out = Record<string, any>;

describe('agent tasks over MCP, with call counts', () => {
  let t: TestApp;
  let admin: ApiClient;
  let agent: ApiClient & { userId: string; email: string };
  let mcp: Awaited<ReturnType<typeof mcpClient>>;
  let client: Client;
  let calls = 0;

  const callRaw = async (name: string, args: Record<string, unknown>) => {
    calls++;
    const res = (await client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      structuredContent?: Out;
      content: { type: string; text?: string }[];
    };
    return { ...res, text: res.content.map((c) => c.text ?? '').join('\n') };
  };
  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await callRaw(name, args);
    if (res.isError) throw new Error(`${name} failed: ${res.text}`);
    return { out: res.structuredContent!, text: res.text };
  };

  beforeAll(async () => {
    // The agent role's knowledge-base edits over MCP go to review (drafts an admin publishes).
    t = await startTestApp({ env: { MCP_REVIEW_ROLES: 'agent' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    const docs: Schemas['CreateDocumentDto'][] = [
      {
        slug: 'reset-password',
        title: 'Reset your password',
        status: 'published',
        body: 'Open Settings, choose Security and press **Reset password**. The link is valid for 24 hours.',
      },
      { slug: 'vpn-setup', title: 'Set up the VPN', status: 'published', body: 'Install the VPN client.' },
      {
        slug: 'printer-errors',
        title: 'Printer error codes',
        status: 'published',
        tags: ['printer'],
        body: '## Error 41\n\nSwitch the printer off and on again.',
      },
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
      addTags: ['password'],
    });
    expect(tagged.out).toMatchObject({ status: 'resolved', tags: ['password'], tagsAdded: ['password'] });
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
        tags: ['outage'],
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
        addTags: ['triaged'],
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
    // addTags kept the tags the tickets had.
    expect(mine.out.tickets.every((x: Out) => x.tags.join() === 'outage,triaged')).toBe(true);
  });

  it('drafts an article from a solved ticket for review (≤ 4 calls), an admin publishes it', async () => {
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

    const full = await call('get_ticket', { number });
    const answer = full.out.comments.at(-1).body as string;
    const found = await call('search_knowledge', { query: 'printer error', limit: 3 });
    expect(found.out.results[0].title).toBe('Printer error codes');
    const article = await call('get_document', { id: found.out.results[0].documentId });
    const edit = await call('update_document', {
      id: article.out.id,
      expectedVersion: article.out.version,
      body: `${article.out.body}\n\n## Error 42\n\n${answer}\n\n(From ticket #${number}.)`,
    });
    expect(calls).toBeLessThanOrEqual(4);
    // The agent's edit of a published article went to review: the article did not change.
    expect(edit.out).toMatchObject({
      version: article.out.version,
      pendingReview: { draftId: expect.any(String), baseVersion: article.out.version },
    });
    expect(edit.text).toContain('for review');
    const page = await fetch(`${t.baseUrl}/help/printer-errors`);
    expect(await page.text()).not.toContain('reseat the toner');

    // The admin sees the pending draft and publishes it: then it is live.
    const queue = await admin.get('/api/v1/document-drafts');
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        id: edit.out.pendingReview.draftId,
        documentId: article.out.id,
        authorId: agent.userId,
        body: expect.stringContaining('reseat the toner'),
      }),
    ]);
    // Only a reviewer publishes: the agent's attempt leaves the article and the draft as they are.
    const review = async () => ({
      article: (await admin.get(`/api/v1/documents/${article.out.id}`)).body,
      drafts: (await admin.get('/api/v1/document-drafts')).body.items,
    });
    const selfPublished = await expectNothingWritten(t.app, review, () =>
      agent.post(`/api/v1/document-drafts/${edit.out.pendingReview.draftId}/publish`),
    );
    expect(selfPublished.status).toBe(403);
    const published = await admin.post(
      `/api/v1/document-drafts/${edit.out.pendingReview.draftId}/publish`,
      {},
    );
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: article.out.version + 1, status: 'published' });
    expect(await (await fetch(`${t.baseUrl}/help/printer-errors`)).text()).toContain('reseat the toner');
    expect((await admin.get('/api/v1/document-drafts')).body.items).toEqual([]);
    expect(
      (await admin.post(`/api/v1/document-drafts/${edit.out.pendingReview.draftId}/publish`, {})).status,
    ).toBe(404);
  });

  it('under review, agents cannot publish; their new articles stay drafts; admins discard drafts', async () => {
    const published = await callRaw('create_document', {
      slug: 'self-published',
      title: 'Self published',
      body: 'x',
      status: 'published',
    });
    expect(published.isError).toBe(true);
    expect(published.text).toMatch(/review/);
    const draft = await call('create_document', { slug: 'agent-draft', title: 'Agent draft', body: 'y' });
    expect(draft.out).toMatchObject({ status: 'draft', version: 1 });
    expect(draft.out.url).toBeUndefined();
    expect((await fetch(`${t.baseUrl}/help/agent-draft`)).status).toBe(404);
    const publish = await callRaw('update_document', {
      id: 'agent-draft',
      expectedVersion: 1,
      status: 'published',
    });
    expect(publish.isError).toBe(true);
    // Drafts (not yet published) are edited directly.
    const edited = await call('update_document', { id: 'agent-draft', expectedVersion: 1, body: 'z' });
    expect(edited.out).toMatchObject({ version: 2, body: 'z' });
    expect(edited.out.pendingReview).toBeUndefined();

    const vpn = (await admin.get('/api/v1/documents/vpn-setup')).body;
    const stale = await callRaw('update_document', {
      id: 'vpn-setup',
      expectedVersion: vpn.version + 5,
      body: 'q',
    });
    expect(stale.isError).toBe(true);
    const proposed = await call('update_document', {
      id: 'vpn-setup',
      expectedVersion: vpn.version,
      body: 'q',
    });
    const draftId = proposed.out.pendingReview.draftId as string;
    const mineOnly = await admin.get(`/api/v1/document-drafts?documentId=vpn-setup`);
    expect(mineOnly.body.items.map((d: Out) => d.id)).toEqual([draftId]);
    expect((await admin.delete(`/api/v1/document-drafts/${draftId}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/document-drafts/${draftId}`)).status).toBe(404);
    expect((await admin.get('/api/v1/documents/vpn-setup')).body).toMatchObject({
      version: vpn.version,
      body: 'Install the VPN client.',
    });
    const events = await admin.get('/api/v1/events?topic=documents&limit=1000');
    const names = (events.body.items as Out[]).map((e) => e.event);
    expect(names).toEqual(expect.arrayContaining(['document.draft_submitted', 'document.draft_discarded']));
  });

  it('adds and removes tags without replacing the others; a replaced list names what it dropped', async () => {
    const created = await admin.post('/api/v1/tickets', {
      title: 'Tag me',
      description: 'tags',
      requesterEmail: 'tags@customer.example',
      tags: ['a', 'b'],
    });
    const number = created.body.number as number;
    const edited = await call('update_ticket', {
      number,
      expectedVersion: created.body.version,
      addTags: ['c', 'b'],
      removeTags: ['a'],
    });
    expect(edited.out).toMatchObject({ tags: ['b', 'c'], tagsAdded: ['c'], tagsRemoved: ['a'] });
    expect(edited.text).toContain('removed a');
    const replaced = await call('update_ticket', {
      number,
      expectedVersion: edited.out.version,
      tags: ['x'],
    });
    expect(replaced.out).toMatchObject({ tags: ['x'], tagsAdded: ['x'], tagsRemoved: ['b', 'c'] });
    expect(replaced.text).toContain('removed b,c');
    const both = await callRaw('update_ticket', {
      number,
      expectedVersion: replaced.out.version,
      tags: ['y'],
      addTags: ['z'],
    });
    expect(both.isError).toBe(true);
    expect(both.text).toMatch(/tags.*addTags/);
    expect((await admin.get(`/api/v1/tickets/${number}`)).body.tags).toEqual(['x']);
    // REST takes the same arguments.
    const rest = await admin.patch(`/api/v1/tickets/${number}`, { addTags: ['rest'] });
    expect(rest.body.tags).toEqual(['x', 'rest']);
  });

  it("pages a ticket's comments: get_ticket gives the first page and a cursor, list_ticket_comments the rest", async () => {
    const created = await admin.post('/api/v1/tickets', {
      title: 'Long thread',
      description: 'many comments',
      requesterEmail: 'thread@customer.example',
    });
    const number = created.body.number as number;
    for (let i = 1; i <= 25; i++) {
      expect((await admin.post(`/api/v1/tickets/${number}/comments`, { body: `comment ${i}` })).status).toBe(
        201,
      );
    }
    const first = await call('get_ticket', { number, commentLimit: 10 });
    expect(first.out.comments.map((c: Out) => c.body)).toEqual(
      Array.from({ length: 10 }, (_, i) => `comment ${i + 1}`),
    );
    expect(first.out.commentsNextCursor).toEqual(expect.any(String));
    const second = await call('list_ticket_comments', {
      number,
      limit: 10,
      cursor: first.out.commentsNextCursor,
    });
    expect(second.out.comments.map((c: Out) => c.body)).toEqual(
      Array.from({ length: 10 }, (_, i) => `comment ${i + 11}`),
    );
    const third = await call('list_ticket_comments', { number, limit: 10, cursor: second.out.nextCursor });
    expect(third.out.comments.map((c: Out) => c.body)).toEqual(
      Array.from({ length: 5 }, (_, i) => `comment ${i + 21}`),
    );
    expect(third.out.nextCursor).toBeUndefined();
    const all = await call('get_ticket', { number });
    expect(all.out.comments).toHaveLength(20);
    const bad = await callRaw('list_ticket_comments', { number, cursor: 'not-a-cursor' });
    expect(bad.isError).toBe(true);
  });

  it('lists, reads and restores document versions; a restore of a published article goes to review', async () => {
    const doc = await admin.post('/api/v1/documents', {
      slug: 'history-doc',
      title: 'History',
      body: 'first',
    });
    await admin.patch('/api/v1/documents/history-doc', { body: 'second', expectedVersion: 1 });
    const versions = await call('list_document_versions', { id: 'history-doc' });
    expect(versions.out.versions.map((v: Out) => v.version)).toEqual([2, 1]);
    expect(versions.out.versions[0].body).toBeUndefined();
    const paged = await call('list_document_versions', { id: doc.body.id, limit: 1 });
    const rest = await call('list_document_versions', {
      id: doc.body.id,
      limit: 1,
      cursor: paged.out.nextCursor,
    });
    expect(rest.out.versions.map((v: Out) => v.version)).toEqual([1]);
    const v1 = await call('get_document_version', { id: 'history-doc', version: 1 });
    expect(v1.out).toMatchObject({ version: 1, body: 'first', documentId: doc.body.id });
    expect(v1.text).toContain('first');
    const restored = await call('restore_document_version', {
      id: 'history-doc',
      version: 1,
      expectedVersion: 2,
    });
    expect(restored.out).toMatchObject({ version: 3, body: 'first' });
    const stale = await callRaw('restore_document_version', {
      id: 'history-doc',
      version: 2,
      expectedVersion: 2,
    });
    expect(stale.isError).toBe(true);
    expect(stale.text).toMatch(/version 3/);
    const missing = await callRaw('get_document_version', { id: 'history-doc', version: 9 });
    expect(missing.isError).toBe(true);

    await admin.patch('/api/v1/documents/history-doc', { status: 'published', expectedVersion: 3 });
    const review = await call('restore_document_version', {
      id: 'history-doc',
      version: 2,
      expectedVersion: 4,
    });
    expect(review.out).toMatchObject({ version: 4, body: 'first', pendingReview: { baseVersion: 4 } });
    const queued = await admin.get(`/api/v1/document-drafts/${review.out.pendingReview.draftId}`);
    expect(queued.body).toMatchObject({ body: 'second', baseVersion: 4 });
  });

  it('search_tickets filters by updatedAfter and slaBreached and sorts by updated and priority, paging in order', async () => {
    const tag = `sortcheck-${Math.random().toString(36).slice(2, 8)}`;
    const made: Record<'low' | 'urgent' | 'normal', number> = { low: 0, urgent: 0, normal: 0 };
    for (const priority of ['low', 'urgent', 'normal'] as const) {
      const res = await admin.post('/api/v1/tickets', {
        title: `Sort check ${priority}`,
        description: 'x',
        requesterEmail: 'sorter@customer.example',
        priority,
        tags: [tag],
      });
      made[priority] = res.body.number;
    }
    // The urgent ticket's first-response deadline passes unanswered: the SLA job marks it breached.
    await t.app.get(DatabaseService).prisma.ticket.update({
      where: { number: made.urgent },
      data: { slaDueAt: new Date(Date.now() - 60_000) },
    });
    await t.app.get(TicketsService).markSlaBreached(made.urgent); // (or a sweep got there first)
    expect((await admin.get(`/api/v1/tickets/${made.urgent}`)).body.slaBreachedAt).toEqual(
      expect.any(String),
    );
    const since = new Date().toISOString();
    while (Date.now() <= Date.parse(since)) await new Promise((r) => setTimeout(r, 2));
    await call('update_ticket', { number: made.normal, expectedVersion: 1, addTags: ['touched'] });
    // Updated order: low (created only), urgent (breached), normal (changed last).

    const numbers = async (args: Record<string, unknown>) => {
      const res = await call('search_tickets', { tags: [tag], ...args });
      return { numbers: res.out.tickets.map((x: Out) => x.number), text: res.text, next: res.out.nextCursor };
    };
    expect((await numbers({ updatedAfter: since })).numbers).toEqual([made.normal]);
    const breached = await numbers({ slaBreached: true });
    expect(breached.numbers).toEqual([made.urgent]);
    expect(breached.text).toContain('SLA BREACHED');
    expect((await numbers({ slaBreached: false })).numbers).toEqual([made.normal, made.low]);
    expect((await numbers({ sort: 'updated' })).numbers).toEqual([made.normal, made.urgent, made.low]);
    expect((await numbers({ sort: 'updated', order: 'asc' })).numbers).toEqual([
      made.low,
      made.urgent,
      made.normal,
    ]);
    expect((await numbers({ sort: 'priority' })).numbers).toEqual([made.urgent, made.normal, made.low]);
    expect((await numbers({ sort: 'priority', order: 'asc' })).numbers).toEqual([
      made.low,
      made.normal,
      made.urgent,
    ]);
    // A sorted list pages on in the same order.
    const first = await numbers({ sort: 'priority', limit: 2 });
    expect(first.numbers).toEqual([made.urgent, made.normal]);
    expect(first.next).toEqual(expect.any(String));
    const second = await numbers({ sort: 'priority', limit: 2, cursor: first.next });
    expect(second.numbers).toEqual([made.low]);
    expect(second.next).toBeNull();
  });

  it('search_knowledge and find_users page with cursors over MCP; find_users filters by role', async () => {
    const word = `zebracursor${Math.random().toString(36).slice(2, 6)}`;
    const slugs = ['one', 'two', 'three'].map((n) => `${word}-${n}`);
    for (const slug of slugs)
      expect(
        (
          await admin.post('/api/v1/documents', {
            slug,
            title: `Paging ${slug}`,
            body: `This article mentions ${word} for paging.`,
            status: 'published',
          })
        ).status,
      ).toBe(201);
    const firstHits = await call('search_knowledge', { query: word, limit: 2 });
    expect(firstHits.out.results).toHaveLength(2);
    expect(firstHits.out.nextCursor).toEqual(expect.any(String));
    expect(firstHits.text).toContain(`cursor ${firstHits.out.nextCursor}`);
    const restHits = await call('search_knowledge', {
      query: word,
      limit: 2,
      cursor: firstHits.out.nextCursor,
    });
    expect(restHits.out.results).toHaveLength(1);
    expect(restHits.out.nextCursor).toBeUndefined();
    const hitUrls = [...firstHits.out.results, ...restHits.out.results].map((r: Out) => r.url).sort();
    expect(hitUrls).toEqual(slugs.map((slug) => `${t.baseUrl}/help/${slug}`).sort());
    const badCursor = await callRaw('search_knowledge', { query: word, cursor: 'not-a-cursor' });
    expect(badCursor.isError).toBe(true);
    expect(badCursor.text).toMatch(/cursor/);

    for (let i = 0; i < 2; i++) await userClient(t.baseUrl, admin, 'agent');
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    const allAgents = await call('find_users', { query: '', role: 'agent', limit: 100 });
    const agentEmails = allAgents.out.users.map((u: Out) => u.email);
    expect(agentEmails.length).toBeGreaterThanOrEqual(3);
    expect(agentEmails).toContain(agent.email);
    expect(allAgents.out.users.every((u: Out) => u.role === 'agent')).toBe(true);
    const viewers = await call('find_users', { query: '', role: 'viewer', limit: 100 });
    expect(viewers.out.users.map((u: Out) => u.email)).toContain(viewer.email);
    expect(viewers.out.users.map((u: Out) => u.email)).not.toContain(agent.email);
    const paged: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('find_users', {
        query: '',
        role: 'agent',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.out.users.length).toBeLessThanOrEqual(2);
      paged.push(...page.out.users.map((u: Out) => u.email));
      cursor = page.out.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(paged).toEqual(agentEmails);
  });

  it('comment_on_ticket with a refused status change writes nothing: no comment, same version', async () => {
    const created = await admin.post('/api/v1/tickets', {
      title: 'Closed already',
      description: 'x',
      requesterEmail: 'closed@customer.example',
    });
    const number = created.body.number as number;
    const closed = await call('update_ticket', { number, expectedVersion: 1, status: 'closed' });
    expect(closed.out.status).toBe('closed');
    const state = async () => {
      const got = (await admin.get(`/api/v1/tickets/${number}`)).body;
      return { version: got.version, status: got.status, comments: got.comments.length };
    };
    const refused = await expectNothingWritten(t.app, state, () =>
      callRaw('comment_on_ticket', { number, body: 'Resolving this one.', status: 'resolved' }),
    );
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/cannot go from closed to resolved/);
    expect(await state()).toEqual({ version: closed.out.version, status: 'closed', comments: 0 });
    // The same comment with an allowed move goes through, in one change.
    const reopened = await call('comment_on_ticket', { number, body: 'Reopening.', status: 'open' });
    expect(reopened.out.ticket).toEqual({ number, version: closed.out.version + 1, status: 'open' });
  });

  it('get_document results carry the public url of a published article, and none for a draft', async () => {
    const published = await call('get_document', { slug: 'reset-password' });
    expect(published.out.url).toBe(`${t.baseUrl}/help/reset-password`);
    expect((await fetch(published.out.url)).status).toBe(200);
    const byId = await call('get_document', { id: published.out.id });
    expect(byId.out.url).toBe(published.out.url);
    await admin.post('/api/v1/documents', { slug: 'url-draft', title: 'Draft', body: 'not public' });
    const draft = await call('get_document', { slug: 'url-draft' });
    expect(draft.out.status).toBe('draft');
    expect(draft.out.url).toBeUndefined();
  });

  it('describes every input field of every tool and uses portable schemas (the Inspector lint rules, no top-level combinators)', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(16);
    const problems = tools.flatMap((tool) => [
      ...topLevelProblems(tool.inputSchema, `${tool.name} input`),
      ...schemaProblems(tool.inputSchema, `${tool.name} input`, true),
      ...schemaProblems(tool.outputSchema, `${tool.name} output`, false),
    ]);
    expect(problems).toEqual([]);
    for (const tool of tools) expect(tool.description).toMatch(/\S/);

    // The MCP Inspector CLI itself (it needs Node >= 22.19): run when installed; see docs/mcp-clients.md.
    const cli = process.env.MCP_INSPECTOR_CLI;
    if (!cli) return;
    const node = process.env.MCP_INSPECTOR_NODE ?? process.execPath;
    // Asynchronously: the server under test runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        node,
        [
          cli,
          `${t.baseUrl}/mcp`,
          '--transport',
          'http',
          '--method',
          'tools/list',
          '--header',
          `Authorization: Bearer ${agent.token}`,
          '--connect-timeout',
          '60000',
          '--strict',
        ],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOME: os.tmpdir() } },
        (err, stdout, stderr) =>
          resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(`exit ${run.status}: ${run.stderr}`).toMatch(/^exit 0:/);
    expect(JSON.parse(run.stdout).tools).toHaveLength(tools.length);
    expect(run.stderr).not.toMatch(/Warning|Error|portability/i);
  });
});

/**
 * What model APIs (Anthropic, OpenAI, Bedrock, Vertex) refuse in a tool's input schema: anything
 * but a plain object at the top, or a combinator or condition there.
 */
function topLevelProblems(schema: Record<string, unknown>, path: string): string[] {
  const out = schema.type === 'object' ? [] : [`${path}: top-level type is not "object"`];
  for (const k of ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else'])
    if (k in schema) out.push(`${path}: ${k} at the top level`);
  return out;
}

/**
 * What the MCP Inspector's schema lint reports (type arrays, remote $ref, boolean and untyped
 * schemas) plus, for inputs, every property without a description.
 */
function schemaProblems(node: unknown, path: string, describe: boolean): string[] {
  if (typeof node === 'boolean') return [`${path}: boolean schema`];
  if (!node || typeof node !== 'object') return [];
  const s = node as Record<string, any>;
  const out: string[] = [];
  if (Array.isArray(s.type)) out.push(`${path}: type array ${JSON.stringify(s.type)}`);
  if (typeof s.$ref === 'string' && !s.$ref.startsWith('#')) out.push(`${path}: remote $ref`);
  if (!Object.keys(s).some((k) => CONSTRAINING.has(k))) out.push(`${path}: untyped schema`);
  for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, any>)) {
    if (describe && !prop?.description) out.push(`${path}.${name}: no description`);
    out.push(...schemaProblems(prop, `${path}.${name}`, describe));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    (s[key] ?? []).forEach((sub: unknown, i: number) =>
      out.push(...schemaProblems(sub, `${path}.${key}[${i}]`, false)),
    );
  }
  if (s.items) out.push(...schemaProblems(s.items, `${path}[]`, describe));
  for (const [name, sub] of Object.entries((s.$defs ?? {}) as Record<string, unknown>))
    out.push(...schemaProblems(sub, `${path}.$defs.${name}`, describe));
  return out;
}

const CONSTRAINING = new Set([
  'type',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$ref',
  'properties',
  'items',
  'required',
  'additionalProperties',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
]);
