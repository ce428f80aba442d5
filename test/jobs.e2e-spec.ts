import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseService } from '@app/database';
import { JobQueue } from '@app/jobs';
import { api, login, userClient, type ApiClient } from './support/http';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testDatabaseEnv } from './support/test-db';
import { startTestApp, type TestApp } from './support/test-app';
import { EventsClient } from './support/ws-client';
import { expectNothingWritten } from './support/no-writes';

const prefix = () => `cdt-${randomBytes(4).toString('hex')}`;

async function waitForJob(client: ApiClient, id: string, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/v1/jobs/${id}`);
    expect(res.status).toBe(200);
    if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function persistentDatabase() {
  if (TEST_DATABASE_URL) return testDatabaseEnv();
  const dir = mkdtempSync(join(tmpdir(), 'cd-jobs-'));
  return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe('imports and jobs', () => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp({ env: { SLA_FIRST_RESPONSE_MINUTES: '0' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  it('imports JSON documents in the background: 202, progress, counts with reasons', async () => {
    const res = await admin.post('/api/v1/imports', {
      documents: [
        { slug: 'import-one', title: 'One', body: '# One\n\nFirst imported page.', tags: ['Imported'] },
        { slug: 'import-two', title: 'Two', body: 'Second page.', status: 'published' },
        { slug: 'Bad Slug!', title: 'Bad', body: 'x' },
        { slug: 'import-three', title: '', body: 'no title' },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/v1/jobs/${res.body.id}`);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      state: expect.stringMatching(/queued|running|completed/),
    });
    expect(res.body.progress).toBeGreaterThanOrEqual(0);
    const job = await waitForJob(admin, res.body.id);
    expect(job).toMatchObject({ state: 'completed', progress: 100 });
    expect(job.result).toMatchObject({ created: 2, updated: 0, failed: 2 });
    expect(job.result?.failures.map((f) => f.item).sort()).toEqual(['Bad Slug!', 'import-three']);
    expect(job.result?.failures.every((f) => f.reason.length > 0)).toBe(true);
    const doc = await admin.get('/api/v1/documents/import-one');
    expect(doc.body).toMatchObject({ title: 'One', tags: ['imported'], version: 1 });

    // Upsert by slug: changed documents are updated, new ones created, unchanged ones left alone.
    const again = await admin.post('/api/v1/imports', {
      documents: [
        { slug: 'import-one', title: 'One (revised)', body: '# One\n\nRevised.' },
        { slug: 'import-two', title: 'Two', body: 'Second page.', status: 'published' },
        { slug: 'import-four', title: 'Four', body: 'Fourth.' },
      ],
    });
    const job2 = await waitForJob(admin, again.body.id);
    expect(job2.result).toEqual({ created: 1, updated: 1, unchanged: 1, failed: 0, failures: [] });
    expect((await admin.get('/api/v1/documents/import-one')).body).toMatchObject({
      title: 'One (revised)',
      version: 2,
    });
  });

  it('imports multipart Markdown files with front matter', async () => {
    const form = new FormData();
    form.append(
      'files',
      new Blob([
        '---\ntitle: Reset your password\ntags: [account, security]\nstatus: published\n---\nOpen **Settings**.\n',
      ]),
      'reset-password.md',
    );
    form.append('files', new Blob(['# VPN setup\n\nInstall the client.\n']), 'VPN Setup.md');
    form.append('files', new Blob(['---\ntitle: [unclosed\n---\nbody']), 'broken.md');
    const res = await admin.upload('/api/v1/imports', form);
    expect(res.status).toBe(202);
    const job = await waitForJob(admin, res.body.id);
    expect(job.result).toMatchObject({ created: 2, failed: 1, failures: [{ item: 'broken.md' }] });
    expect((await admin.get('/api/v1/documents/reset-password')).body).toMatchObject({
      title: 'Reset your password',
      tags: ['account', 'security'],
      status: 'published',
    });
    expect((await admin.get('/api/v1/documents/vpn-setup')).body).toMatchObject({ title: 'VPN setup' });
  });

  it('validates import requests and hides other people’s jobs', async () => {
    expect((await admin.post('/api/v1/imports', { documents: [] })).status).toBe(400);
    expect((await admin.raw.post('/api/v1/imports', { nope: 1 })).status).toBe(400);
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    // Refused: no job queued, no document made.
    const db = t.app.get(DatabaseService);
    const state = async () => ({
      jobs: await db.prisma.job.count(),
      documents: await db.prisma.document.count(),
    });
    const refused = await expectNothingWritten(
      t.app,
      state,
      () => viewer.post('/api/v1/imports', { documents: [{ slug: 'a', title: 'a', body: 'a' }] }),
      ['documents'],
    );
    expect(refused.status).toBe(403);
    const agent = await userClient(t.baseUrl, admin, 'agent');
    const mine = await agent.post('/api/v1/imports', {
      documents: [{ slug: 'agent-doc', title: 'A', body: 'a' }],
    });
    expect(mine.status).toBe(202);
    expect((await agent.get(`/api/v1/jobs/${mine.body.id}`)).status).toBe(200);
    expect((await viewer.get(`/api/v1/jobs/${mine.body.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/jobs/${mine.body.id}`)).status).toBe(200);
    expect((await admin.get('/api/v1/jobs/not-a-uuid')).status).toBe(404);
  });

  it('emits ticket.sla_breached once for an urgent ticket without an agent reply', async () => {
    const urgent = await admin.post('/api/v1/tickets', {
      title: 'Down',
      description: 'All down',
      priority: 'urgent',
    });
    const low = await admin.post('/api/v1/tickets', { title: 'Typo', description: 'Small', priority: 'low' });
    expect(urgent.status).toBe(201);
    const breaches = async () =>
      (await admin.get('/api/v1/events?topic=tickets&limit=1000')).body.items.filter(
        (e: { event: string }) => e.event === 'ticket.sla_breached',
      );
    const deadline = Date.now() + 20000;
    while ((await breaches()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await admin.patch(`/api/v1/tickets/${urgent.body.number}`, {
      priority: 'urgent',
      title: 'Down (edited)',
    });
    await new Promise((r) => setTimeout(r, 500));
    const found = await breaches();
    expect(found).toHaveLength(1);
    expect(found[0].entityId).toBe(urgent.body.id);
    expect(found[0].data.slaBreachedAt).toEqual(expect.any(String));
    expect(found.some((e: { entityId: string }) => e.entityId === low.body.id)).toBe(false);
  });

  it('exposes queue depth and job outcomes on /metrics', async () => {
    const text = (await api(t.baseUrl).raw.get<string>('/metrics')).body;
    expect(text).toMatch(/context_desk_jobs_total\{queue="imports",outcome="completed"\} \d+/);
    expect(text).toContain('context_desk_queue_depth');
    expect(text).toMatch(/context_desk_events_published_total\{topic="tickets"\} \d+/);
    expect(text).toContain('context_desk_ws_connections');
    expect(text).toContain('context_desk_events_fanout_lag_seconds');
  });
});

describe('enqueueing wakes the in-process runner', () => {
  it('starts a job at once, not at the runner’s next poll', async () => {
    // The idle poll follows EVENT_POLL_MS: a minute here, longer than waitForJob waits.
    const t = await startTestApp({ env: { EVENT_POLL_MS: '60000' } });
    try {
      const admin = api(t.baseUrl, await login(t.baseUrl));
      const res = await admin.post('/api/v1/imports', {
        documents: [{ slug: 'woken', title: 'W', body: 'w' }],
      });
      expect(await waitForJob(admin, res.body.id, 20000)).toMatchObject({ state: 'completed' });
    } finally {
      await t.close();
    }
  });
});

describe('jobs survive a restart (in-process runner)', () => {
  it('runs a job queued, or left running by a killed process, after the next start', async () => {
    const database = await persistentDatabase();
    // The first process only enqueues (RUN_JOBS=false), like a server beside a worker that is down.
    const first = await startTestApp({ database, env: { RUN_JOBS: 'false' } });
    let second: TestApp | null = null;
    try {
      const admin1 = api(first.baseUrl, await login(first.baseUrl));
      const queued = await admin1.post('/api/v1/imports', {
        documents: [{ slug: 'queued-doc', title: 'Q', body: 'q' }],
      });
      const interrupted = await admin1.post('/api/v1/imports', {
        documents: [{ slug: 'interrupted-doc', title: 'I', body: 'i' }],
      });
      // Simulate a runner that died mid-job: running, locked by a process that is gone.
      await first.app
        .get(DatabaseService)
        .driver.query(
          `UPDATE job SET state = 'running', attempts = 1, locked_by = 'dead:1', locked_at = now() - interval '1 hour' WHERE id = $1::uuid`,
          [interrupted.body.id],
        );
      expect((await admin1.get(`/api/v1/jobs/${queued.body.id}`)).body.state).toBe('queued');
      await first.close();

      second = await startTestApp({ database });
      const admin2 = api(second.baseUrl, await login(second.baseUrl));
      const a = await waitForJob(admin2, queued.body.id);
      const b = await waitForJob(admin2, interrupted.body.id);
      expect(a).toMatchObject({ state: 'completed', result: { created: 1 } });
      expect(b).toMatchObject({ state: 'completed', result: { created: 1 }, attempts: 2 });
      expect((await admin2.get('/api/v1/documents/interrupted-doc')).status).toBe(200);
    } finally {
      await second?.close();
      await database.drop();
    }
  });
});

describe('a webhook job the reconciler fails', () => {
  it('fails its delivery in the same step, with the reason (never pending forever)', async () => {
    const database = await persistentDatabase();
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true' };
    // The first process only dispatches (RUN_JOBS=false): the delivery and its job are written, not run.
    const first = await startTestApp({ database, env: { ...env, RUN_JOBS: 'false' } });
    let second: TestApp | null = null;
    try {
      const admin1 = api(first.baseUrl, await login(first.baseUrl));
      const hook = await admin1.post('/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/never-called',
        events: ['ticket.created'],
        secret: 'reconciler-test-webhook-secret',
      });
      expect(hook.status).toBe(201);
      expect((await admin1.post('/api/v1/tickets', { title: 'Orphaned', description: 'x' })).status).toBe(
        201,
      );
      const hookId = hook.body.id as string;
      const deliveries = async (client: ApiClient) =>
        (await client.get(`/api/v1/webhooks/${hookId}/deliveries`)).body.items;
      const deadline = Date.now() + 20_000;
      let pending = await deliveries(admin1);
      while (!pending?.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        pending = await deliveries(admin1);
      }
      expect(pending).toMatchObject([{ status: 'pending' }]);
      // Its last attempt was running in a process that died.
      const updated = await first.app.get(DatabaseService).driver.query<{ id: string }>(
        `UPDATE job SET state = 'running', attempts = max_attempts, locked_by = 'dead:1',
                  locked_at = now() - interval '1 hour'
            WHERE key = 'webhook:' || $1 RETURNING id::text AS id`,
        [pending![0].id],
      );
      expect(updated).toHaveLength(1);
      await first.close();

      second = await startTestApp({ database, env });
      const admin2 = api(second.baseUrl, await login(second.baseUrl));
      const job = await waitForJob(admin2, updated[0].id);
      expect(job.state).toBe('failed');
      expect(job.lastError).toMatch(/^interrupted/);
      const [d] = (await deliveries(admin2))!;
      expect(d).toMatchObject({ status: 'failed', nextAttemptAt: null, lastError: job.lastError });
    } finally {
      await second?.close();
      await database.drop();
    }
  });
});

(TEST_REDIS_URL ? describe : describe.skip)('the reconciler on a server that runs no jobs', () => {
  it('hands a queued job that Redis lost to BullMQ again (RUN_JOBS=false)', async () => {
    const database = await testDatabaseEnv();
    const t = await startTestApp({
      database,
      redis: true,
      env: { QUEUE_PREFIX: prefix(), RUN_JOBS: 'false', JOB_RECONCILE_MS: '200' },
    });
    try {
      const admin = api(t.baseUrl, await login(t.baseUrl));
      const imp = await admin.post('/api/v1/imports', {
        documents: [{ slug: 'lost-doc', title: 'L', body: 'l' }],
      });
      expect(imp.status).toBe(202);
      const id = imp.body.id as string;
      const queue = t.app.get(JobQueue);
      const bullId = `${id}-a1`;
      expect(await queue.bullState('imports', bullId)).not.toBe('unknown');
      // Redis loses it (a restart without persistence); the row stays queued, quiet for a while.
      await queue.bullRemove('imports', bullId);
      expect(await queue.bullState('imports', bullId)).toBe('unknown');
      await t.app
        .get(DatabaseService)
        .driver.query(`UPDATE job SET updated_at = now() - interval '1 minute' WHERE id = $1::uuid`, [id]);
      const deadline = Date.now() + 20_000;
      let state = 'unknown';
      while (state === 'unknown' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        state = await queue.bullState('imports', bullId);
      }
      expect(state).toMatch(/waiting|delayed|prioritized/);
      expect((await admin.get(`/api/v1/jobs/${id}`)).body.state).toBe('queued');
    } finally {
      await t.close();
      await database.drop();
    }
  });
});

(TEST_REDIS_URL ? describe : describe.skip)('two instances sharing Postgres and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;
  beforeAll(async () => {
    database = await testDatabaseEnv();
    const env = { QUEUE_PREFIX: prefix(), EVENT_POLL_MS: '1000' };
    a = await startTestApp({ database, redis: true, env });
    b = await startTestApp({ database, redis: true, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('delivers an event written through one instance to a subscriber of the other', async () => {
    const token = await login(a.baseUrl);
    const c = await EventsClient.connect(b.baseUrl, token);
    try {
      c.send({ type: 'subscribe', topics: ['tickets'] });
      await c.next('subscribed');
      const created = await api(a.baseUrl, token).post('/api/v1/tickets', {
        title: 'Across instances',
        description: 'Written on A, seen on B',
      });
      await c.until((x) => x.events().length === 1, 10000, 'the event on B');
      expect(c.events()[0]).toMatchObject({ event: 'ticket.created', entityId: created.body.id });
    } finally {
      c.close();
    }
  });

  it('processes a job enqueued by one instance exactly once', async () => {
    const admin = api(a.baseUrl, await login(a.baseUrl));
    const docs = Array.from({ length: 20 }, (_, i) => ({
      slug: `shared-${i}`,
      title: `Shared ${i}`,
      body: 'b',
    }));
    const res = await admin.post('/api/v1/imports', { documents: docs });
    expect(res.status).toBe(202);
    const job = await waitForJob(api(b.baseUrl, admin.token), res.body.id);
    expect(job).toMatchObject({ state: 'completed', attempts: 1, result: { created: 20, failed: 0 } });
    const events = (await admin.get('/api/v1/events?topic=documents&limit=1000')).body.items.filter(
      (e: { entityId: string; event: string }) => e.event === 'document.created',
    );
    expect(events).toHaveLength(20);
  });
});
