import { DatabaseService } from '@app/database';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient } from './support/http';

describe('users over REST: the last active admin (real app, real database)', () => {
  let t: TestApp;
  let db: DatabaseService;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DatabaseService);
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  const activeAdmins = () => db.prisma.user.count({ where: { role: 'admin', active: true } });

  it('changes nothing, and writes no version or event, on a no-op update', async () => {
    const u = await userClient(t.baseUrl, admin, 'viewer');
    const before = await db.prisma.event.count({ where: { entityId: u.userId } });
    const same = await admin.patch(`/api/v1/users/${u.userId}`, { role: 'viewer', name: 'Test viewer' });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    expect(await db.prisma.event.count({ where: { entityId: u.userId } })).toBe(before);
    const renamed = await admin.patch(`/api/v1/users/${u.userId}`, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ name: 'Renamed', version: 2 });
    expect(await db.prisma.event.count({ where: { entityId: u.userId } })).toBe(before + 1);
  });

  it('lets concurrent demotions never remove the last active admin', async () => {
    const b = await userClient(t.baseUrl, admin, 'admin');
    const c = await userClient(t.baseUrl, admin, 'admin');
    const me = (await admin.get('/api/v1/auth/me')).body.id;
    expect(await activeAdmins()).toBe(3);
    const before = await db.prisma.event.count({ where: { event: 'user.updated' } });

    // Three demotions at once, each of which alone is allowed: at most two may succeed.
    const results = await Promise.all([
      admin.patch(`/api/v1/users/${b.userId}`, { role: 'agent' }),
      admin.patch(`/api/v1/users/${c.userId}`, { active: false }),
      admin.patch(`/api/v1/users/${me}`, { role: 'viewer' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.problem.detail).toContain('last active admin');
    expect(await activeAdmins()).toBe(1);
    // Only the two committed changes wrote events.
    expect(await db.prisma.event.count({ where: { event: 'user.updated' } })).toBe(before + 2);
  });
});
