import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseService } from '@app/database';
import { appendEvent } from '@app/events';
import { api, login, type ApiClient } from './support/http';
import { TEST_DATABASE_URL, testDatabaseEnv } from './support/test-db';
import { startTestApp, type TestApp } from './support/test-app';
import { EventsClient } from './support/ws-client';

/** Appends n outbox events in one transaction (fast bulk history for replay tests). */
async function bulkEvents(t: TestApp, n: number, size = 16): Promise<void> {
  const db = t.app.get(DatabaseService);
  await db.transaction(
    async (tx) => {
      for (let i = 0; i < n; i++)
        await appendEvent(tx, {
          topic: 'documents',
          event: 'document.updated',
          entityId: `bulk-${i}`,
          data: { i, pad: 'x'.repeat(size) },
        });
    },
    { timeoutMs: 120_000 },
  );
}

const ticket = (admin: ApiClient, title: string) =>
  admin.post('/api/v1/tickets', { title, description: 'from the events suite', priority: 'normal' });

function expectStrictlyIncreasing(ids: number[]): void {
  for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
}

async function history(admin: ApiClient): Promise<number[]> {
  const ids: number[] = [];
  let after = 0;
  for (;;) {
    const page = await admin.get(`/api/v1/events?after=${after}&limit=1000`);
    ids.push(...page.body.items.filter((e) => e.topic !== 'users').map((e) => e.id));
    if (page.body.items.length < 1000) return ids;
    after = page.body.items[page.body.items.length - 1].id;
  }
}

describe('WebSocket /events', () => {
  let t: TestApp;
  let token: string;
  let admin: ApiClient;
  const clients: EventsClient[] = [];
  const connect = async (tok: string | null = token, via: 'header' | 'query' = 'header') => {
    const c = await EventsClient.connect(t.baseUrl, tok, via);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { EVENT_POLL_MS: '20' } });
    token = await login(t.baseUrl);
    admin = api(t.baseUrl, token);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t?.close();
  });

  it('refuses connections without a valid token at the upgrade (HTTP 401)', async () => {
    await expect(connect(null)).rejects.toMatchObject({ status: 401 });
    await expect(connect('not-a-token')).rejects.toMatchObject({ status: 401 });
    await expect(connect('cdk_nope_nope', 'query')).rejects.toMatchObject({ status: 401 });
    const ok = await connect(token, 'query');
    ok.send({ type: 'ping' });
    await ok.next('pong');
  });

  it('streams live events after subscribe, in the contract shape', async () => {
    const c = await connect();
    c.send({ type: 'subscribe', topics: ['tickets'] });
    expect(await c.next('subscribed')).toMatchObject({ topics: ['tickets'], denied: [] });
    const created = await ticket(admin, 'Live one');
    expect(created.status).toBe(201);
    await c.until((x) => x.events().length >= 1, 10000, 'the ticket event');
    expect(c.events()[0]).toEqual({
      type: 'event',
      id: expect.any(Number),
      topic: 'tickets',
      event: 'ticket.created',
      entityId: created.body.id,
      data: expect.objectContaining({ number: created.body.number, title: 'Live one' }),
      at: expect.any(String),
    });
  });

  it('replays with since while writes continue: no gap, no duplicate, ids strictly increasing', async () => {
    const before = (await history(admin)).at(-1) ?? 0;
    await bulkEvents(t, 1200); // more than two replay pages
    const c = await connect();
    c.send({ type: 'subscribe', topics: ['documents', 'tickets'], since: before });
    // Writers keep going while the replay runs: REST ticket writes and more outbox rows.
    const writers = Promise.all([
      (async () => {
        for (let i = 0; i < 25; i++) expect((await ticket(admin, `During replay ${i}`)).status).toBe(201);
      })(),
      (async () => {
        for (let i = 0; i < 10; i++) await bulkEvents(t, 30);
      })(),
    ]);
    await writers;
    const expected = (await history(admin)).filter((id) => id > before);
    expect(expected.length).toBe(1200 + 25 + 300);
    await c.until((x) => x.events().length >= expected.length, 30000, 'every event');
    await new Promise((r) => setTimeout(r, 300)); // nothing extra may follow
    const ids = c.events().map((e) => e.id!);
    expectStrictlyIncreasing(ids);
    expect(ids).toEqual(expected);
  });

  it('GET /api/v1/events?order=desc gives the latest history newest first and pages back with before', async () => {
    const titles = ['Latest A', 'Latest B', 'Latest C'];
    for (const title of titles) expect((await ticket(admin, title)).status).toBe(201);
    const ascending = (await history(admin)).length;
    const latest = await admin.get('/api/v1/events?order=desc&topic=tickets&limit=2');
    expect(latest.status).toBe(200);
    expect(latest.body.items.map((e) => e.data.title)).toEqual(['Latest C', 'Latest B']);
    expect(latest.body.nextCursor).toBe(String(latest.body.items[1].id));
    const older = await admin.get(
      `/api/v1/events?order=desc&topic=tickets&limit=1&before=${latest.body.nextCursor}`,
    );
    expect(older.body.items.map((e) => e.data.title)).toEqual(['Latest A']);
    // `before` bounds an ascending read too, and `after` still bounds a descending one.
    const newest = latest.body.items[0].id;
    const between = await admin.get(
      `/api/v1/events?topic=tickets&after=${older.body.items[0].id}&before=${newest}`,
    );
    expect(between.body.items.map((e) => e.data.title)).toEqual(['Latest B']);
    const above = await admin.get(`/api/v1/events?order=desc&topic=tickets&after=${newest}`);
    expect(above.body).toEqual({ items: [], nextCursor: null });
    expect((await history(admin)).length).toBe(ascending); // reads wrote nothing
    for (const bad of ['order=newest', 'before=0', 'before=x'])
      expect((await admin.get(`/api/v1/events?${bad}`)).status).toBe(400);
  });

  it('only sends topics the caller’s scopes allow', async () => {
    const key = await admin.post('/api/v1/api-keys', {
      name: 'kb reader',
      scopes: ['kb:read'],
    });
    expect(key.status).toBe(201);
    const c = await connect(key.body.secret);
    c.send({ type: 'subscribe', topics: ['documents', 'tickets', 'users'] });
    expect(await c.next('subscribed')).toMatchObject({ topics: ['documents'], denied: ['tickets', 'users'] });
    await ticket(admin, 'Hidden from kb readers');
    const doc = await admin.post('/api/v1/documents', {
      slug: 'visible-doc',
      title: 'Visible',
      body: 'Hello',
    });
    expect(doc.status).toBe(201);
    await c.until((x) => x.events().some((e) => e.entityId === doc.body.id), 10000, 'the document event');
    expect(c.events().every((e) => e.topic === 'documents')).toBe(true);
    // Replay is filtered the same way.
    const r = await connect(key.body.secret);
    r.send({ type: 'subscribe', topics: ['tickets', 'documents'], since: 0 });
    await r.until((x) => x.events().some((e) => e.entityId === doc.body.id), 10000, 'the replayed document');
    expect(r.events().every((e) => e.topic === 'documents')).toBe(true);
  });

  it('answers malformed messages with error frames and keeps the connection', async () => {
    const c = await connect();
    const cases: [unknown, string][] = [
      ['not json', 'invalid_json'],
      ['[1,2]', 'invalid_message'],
      [{ type: 'dance' }, 'unknown_type'],
      [{ type: 'subscribe', topics: ['nope'] }, 'invalid_message'],
      [{ type: 'subscribe', topics: 'tickets' }, 'invalid_message'],
      [{ type: 'subscribe', topics: ['tickets'], since: -1 }, 'invalid_message'],
      [{ type: 'subscribe', topics: ['tickets'], since: 'yesterday' }, 'invalid_message'],
    ];
    for (const [msg, code] of cases) {
      c.send(msg);
      expect(await c.next('error')).toMatchObject({ type: 'error', code, message: expect.any(String) });
    }
    expect(c.closed).toBeNull();
    c.send({ type: 'subscribe', topics: ['tickets'] });
    await c.next('subscribed');
    await ticket(admin, 'After errors');
    await c.until((x) => x.events().length === 1, 10000, 'an event after the errors');
  });
});

describe('WebSocket /events: slow consumers and shutdown', () => {
  it('closes a client that stops reading with 4008 and says where to resume', async () => {
    const t = await startTestApp({ env: { EVENT_POLL_MS: '20', WS_SEND_BUFFER_BYTES: '65536' } });
    try {
      const token = await login(t.baseUrl);
      const c = await EventsClient.connect(t.baseUrl, token);
      c.send({ type: 'subscribe', topics: ['documents'] });
      await c.next('subscribed');
      c.ws.pause(); // stop reading: the server's send buffer fills
      const metrics = api(t.baseUrl);
      for (let i = 0; i < 40; i++) {
        await bulkEvents(t, 2, 400_000);
        const text = (await metrics.raw.get<string>('/metrics')).body;
        if (/context_desk_ws_slow_consumer_closes_total 1/.test(text)) break;
      }
      c.ws.resume();
      await c.until((x) => x.closed !== null, 20000, 'the close');
      expect(c.closed!.code).toBe(4008);
      expect(c.closed!.reason).toMatch(/slow consumer; reconnect with since=\d+/);
      const since = Number(/since=(\d+)/.exec(c.closed!.reason)![1]);
      const got = c.events().map((e) => e.id!);
      expect(got.at(-1) ?? 0).toBe(since);
    } finally {
      await t.close();
    }
  });

  it('closes with 1001 on shutdown and resumes with since after a restart, without gap or duplicate', async () => {
    const dir = TEST_DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'cd-events-'));
    const database = dir
      ? { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
      : await testDatabaseEnv();
    const first = await startTestApp({ database, env: { EVENT_POLL_MS: '20' } });
    let second: TestApp | null = null;
    try {
      const token = await login(first.baseUrl);
      const admin1 = api(first.baseUrl, token);
      const c = await EventsClient.connect(first.baseUrl, token);
      c.send({ type: 'subscribe', topics: ['tickets'], since: 0 });
      await c.next('subscribed');
      for (let i = 0; i < 5; i++) await ticket(admin1, `Before restart ${i}`);
      await c.until((x) => x.events().length === 5, 10000, 'five events');
      const last = c.events()[4].id!;
      await first.close();
      await c.until((x) => x.closed !== null, 10000, 'the close');
      expect(c.closed!.code).toBe(1001);

      second = await startTestApp({ database, env: { EVENT_POLL_MS: '20' } });
      const admin2 = api(second.baseUrl, token); // same JWT secret: the token still works
      for (let i = 0; i < 3; i++) expect((await ticket(admin2, `After restart ${i}`)).status).toBe(201);
      const r = await EventsClient.connect(second.baseUrl, token);
      r.send({ type: 'subscribe', topics: ['tickets'], since: last });
      await ticket(admin2, 'While resuming');
      await r.until((x) => x.events().length >= 4, 10000, 'the resumed events');
      await new Promise((res) => setTimeout(res, 200));
      const ids = r.events().map((e) => e.id!);
      expect(ids.length).toBe(4);
      expect(ids[0]).toBeGreaterThan(last);
      expectStrictlyIncreasing(ids);
      expect(r.events().map((e) => e.data!.title)).toEqual([
        'After restart 0',
        'After restart 1',
        'After restart 2',
        'While resuming',
      ]);
      r.close();
    } finally {
      await second?.close();
      await database.drop();
    }
  });
});
