import { startTestApp, type TestApp } from './support/test-app';
import { api, login, type ApiClient } from './support/http';

// Server endpoints the web admin's support workflow relies on.
describe('admin support workflow endpoints (real app, real database)', () => {
  let t: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  }, 120_000);
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
    const numbers = listed.body.items.map((x: any) => x.number);
    expect(numbers).toEqual(expect.arrayContaining([a.number, b.number]));
    expect(numbers).not.toContain(c.number);
    const searched = await admin.get('/api/v1/tickets?status=open,pending&q=Status%20list');
    expect(searched.body.items.map((x: any) => x.number).sort()).toEqual([a.number, b.number].sort());
    const bad = await admin.get('/api/v1/tickets?status=open,nope');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('status');
  });
});
