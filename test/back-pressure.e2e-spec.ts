import { DatabaseService } from '@app/database';
import { isUnavailableError } from '@app/core';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, type ApiClient } from './support/http';
import { TEST_DATABASE_URL } from './support/test-db';

describe('races and back-pressure (real app, real database)', () => {
  let t: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    // A pool of 3 connections that gives up waiting after 2 s (services mode).
    t = await startTestApp({ env: { DB_POOL_SIZE: '3', DB_POOL_TIMEOUT_MS: '2000' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  it('20 parallel tickets from one new requester all succeed, with one requester user and one user.created', async () => {
    const email = `new-requester-${Date.now()}@example.test`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        admin.post('/api/v1/tickets', {
          title: `Race ${i}`,
          description: 'same requester',
          requesterEmail: email,
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses).toEqual(Array(20).fill(201));
    const requesterIds = new Set(results.filter((r) => r.status === 201).map((r) => r.body.requesterId));
    expect(requesterIds.size).toBe(1);
    const db = t.app.get(DatabaseService);
    expect(await db.prisma.user.count({ where: { email } })).toBe(1);
    const [user] = await db.prisma.user.findMany({ where: { email } });
    expect(await db.prisma.event.count({ where: { entityId: user.id, event: 'user.created' } })).toBe(1);
  });

  it('GET /health/ready names each dependency with its state', async () => {
    const res = await fetch(`${t.baseUrl}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    if (t.config.redisUrl) expect(body.details.redis.status).toBe('up');
  });

  (TEST_DATABASE_URL ? it : it.skip)(
    'an exhausted connection pool answers 503 problem+json with Retry-After, then recovers',
    async () => {
      const db = t.app.get(DatabaseService);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      // Take every pooled connection and keep them.
      const holders = [1, 2, 3].map(() => db.driver.withConnection(() => held));
      await new Promise((r) => setTimeout(r, 50));
      const res = await admin.get('/api/v1/tickets');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
      release();
      await Promise.all(holders);
      expect((await admin.get('/api/v1/tickets')).status).toBe(200);
    },
  );
});

describe('isUnavailableError', () => {
  it('recognises pool, socket, SQLSTATE and wrapped errors, and nothing else', () => {
    expect(isUnavailableError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('x'), { code: '53300' }))).toBe(true);
    expect(
      isUnavailableError(
        Object.assign(new Error('wrapped'), {
          code: 'P2010',
          meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } },
        }),
      ),
    ).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('outer'), { cause: { code: '08006' } }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isUnavailableError(null)).toBe(false);
  });
});
