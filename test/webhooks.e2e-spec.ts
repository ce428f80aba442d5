import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, login, userClient, type ApiClient } from './support/http';
import { expectNothingWritten } from './support/no-writes';
import { startTestApp, type TestApp } from './support/test-app';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A local receiver that answers 500 to the first `failures` requests, then 200. */
async function receiver(failures: number): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = got.length < failures ? 500 : 200;
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end(answered === 200 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

async function until<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks', () => {
  let t: TestApp;
  let admin: ApiClient;
  const secret = 'a-webhook-secret-for-tests';
  beforeAll(async () => {
    // BullMQ when TEST_REDIS_URL is set, the in-process runner otherwise; a unique prefix per app.
    t = await startTestApp({
      redis: true,
      env: {
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        QUEUE_PREFIX: `cdt-${randomBytes(4).toString('hex')}`,
      },
    });
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  it('manages webhooks (admin only), never returning the secret', async () => {
    const bad = await admin.post('/api/v1/webhooks', { url: 'ftp://x', events: [], secret: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual([
      'events',
      'secret',
      'url',
    ]);
    const agent = await userClient(t.baseUrl, admin, 'agent');
    expect((await agent.get('/api/v1/webhooks')).status).toBe(403);

    const created = await admin.post('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/none',
      events: ['document.*'],
      secret,
      active: false,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ events: ['document.*'], active: false, version: 1 });
    expect(JSON.stringify(created.body)).not.toContain(secret);
    const id = created.body.id;
    expect((await admin.get('/api/v1/webhooks')).body.items.map((w) => w.id)).toContain(id);
    const patched = await admin.patch(
      `/api/v1/webhooks/${id}`,
      { events: ['ticket.created'] },
      { 'If-Match': '1' },
    );
    expect(patched.body).toMatchObject({ events: ['ticket.created'], version: 2 });
    // An agent cannot add, change or remove webhooks, and a refusal leaves them as they are.
    const hooks = async () => (await admin.get('/api/v1/webhooks')).body.items;
    const writes: (() => Promise<{ status: number }>)[] = [
      () => agent.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/agent', events: ['*'], secret }),
      () => agent.patch(`/api/v1/webhooks/${id}`, { active: true }),
      () => agent.delete(`/api/v1/webhooks/${id}`),
    ];
    for (const write of writes) expect((await expectNothingWritten(t.app, hooks, write)).status).toBe(403);
    expect((await admin.patch(`/api/v1/webhooks/${id}`, { active: true }, { 'If-Match': '1' })).status).toBe(
      409,
    );
    expect((await admin.delete(`/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/webhooks/${id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/webhooks/${id}/deliveries`)).status).toBe(404);
  });

  it('delivers a matching event once, signed, after two failed attempts, and logs every attempt', async () => {
    const rx = await receiver(2);
    try {
      const hook = await admin.post('/api/v1/webhooks', { url: rx.url, events: ['ticket.created'], secret });
      expect(hook.status).toBe(201);
      const ticket = await admin.post('/api/v1/tickets', { title: 'Hooked', description: 'deliver me' });
      await admin.patch(`/api/v1/tickets/${ticket.body.number}`, { title: 'Hooked (not a created event)' });

      const page = await until(
        () => admin.get(`/api/v1/webhooks/${hook.body.id}/deliveries`),
        (r) => r.body.items?.[0]?.status === 'succeeded',
        'a succeeded delivery',
      );
      expect(page.body.items).toHaveLength(1);
      const d = page.body.items[0];
      expect(d).toMatchObject({
        event: 'ticket.created',
        status: 'succeeded',
        attempts: 3,
        responseStatus: 200,
      });
      expect(d.attemptLog.map((a) => [a.attempt, a.responseStatus])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);

      expect(rx.got).toHaveLength(3);
      expect(rx.got.filter((r) => r.answered === 200)).toHaveLength(1);
      for (const r of rx.got) {
        const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
        expect(r.headers['x-context-desk-signature']).toBe(expected);
        expect(r.headers['x-context-desk-event-id']).toBe(String(d.eventId));
        expect(r.headers['content-type']).toContain('application/json');
      }
      expect(JSON.parse(rx.got[2].body)).toMatchObject({
        id: d.eventId,
        topic: 'tickets',
        event: 'ticket.created',
        entityId: ticket.body.id,
        data: { number: ticket.body.number, title: 'Hooked' },
      });
      await admin.delete(`/api/v1/webhooks/${hook.body.id}`);
    } finally {
      rx.server.close();
    }
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    const rx = await receiver(1000);
    try {
      const hook = await admin.post('/api/v1/webhooks', { url: rx.url, events: ['ticket.*'], secret });
      await admin.post('/api/v1/tickets', { title: 'Never delivered', description: 'receiver is broken' });
      const page = await until(
        () => admin.get(`/api/v1/webhooks/${hook.body.id}/deliveries`),
        (r) => r.body.items?.[0]?.status === 'failed',
        'a failed delivery',
        30000,
      );
      const d = page.body.items[0];
      expect(d.attempts).toBeGreaterThanOrEqual(5);
      expect(d.attemptLog).toHaveLength(d.attempts);
      expect(rx.got).toHaveLength(d.attempts);
      expect(d.lastError).toContain('500');
      await admin.delete(`/api/v1/webhooks/${hook.body.id}`);
    } finally {
      rx.server.close();
    }
  });
});
