import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseService } from '@app/database';
import { api, login, type ApiClient } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';
import urls from './fixtures/security/ssrf-urls.json';

const secret = 'a-webhook-secret-for-tests';

describe('security: webhook targets (issue 9 item 8)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let rx: Server;
  let hits = 0;
  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_RETRY_BASE_MS: '20' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
    rx = createServer((req, res) => {
      hits++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  }, 300_000);
  afterAll(async () => {
    if (rx) await new Promise((r) => rx.close(r));
    await t?.close();
  });

  it.each(urls.refused)('refuses to register %s', async (url) => {
    const res = await admin.post('/api/v1/webhooks', { url, events: ['ticket.created'], secret });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.problem.errors).toEqual([expect.objectContaining({ field: 'url' })]);
  });

  it('refuses a loopback target on update too', async () => {
    const hook = await admin.post('/api/v1/webhooks', {
      url: 'https://hooks.example.com/in',
      events: ['ticket.created'],
      secret,
      active: false,
    });
    expect(hook.status).toBe(201);
    const res = await admin.patch(`/api/v1/webhooks/${hook.body.id}`, { url: 'http://[::1]:80/x' });
    expect(res.status).toBe(400);
    expect((await admin.delete(`/api/v1/webhooks/${hook.body.id}`)).status).toBe(204);
  });

  it('checks the address again at delivery: a target that now points inside is never contacted', async () => {
    const hook = await admin.post('/api/v1/webhooks', {
      url: 'https://hooks.example.com/in',
      events: ['ticket.created'],
      secret,
    });
    expect(hook.status).toBe(201);
    // What DNS rebinding or an edited row would leave behind: a stored URL pointing at loopback.
    const port = (rx.address() as AddressInfo).port;
    await t.app
      .get(DatabaseService)
      .prisma.webhook.update({ where: { id: hook.body.id }, data: { url: `http://127.0.0.1:${port}/in` } });
    await new Promise((r) => setTimeout(r, 5100)); // the dispatcher caches hooks for 5 s
    expect((await admin.post('/api/v1/tickets', { title: 'SSRF', description: 'probe' })).status).toBe(201);
    let deliveries: { items: { attemptLog: { error: string | null }[] }[] } = { items: [] };
    for (let i = 0; i < 200 && !deliveries.items[0]?.attemptLog.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      deliveries = (await admin.get(`/api/v1/webhooks/${hook.body.id}/deliveries`)).body;
    }
    expect(deliveries.items[0].attemptLog[0].error).toMatch(/loopback/);
    expect(hits).toBe(0);
  });
});
