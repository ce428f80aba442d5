import { randomBytes } from 'node:crypto';
import { api, login, type ApiClient } from './support/http';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testDatabaseEnv } from './support/test-db';
import { startTestApp, type TestApp } from './support/test-app';
import { EventsClient } from './support/ws-client';

/**
 * Issue 9, items 4-7: revocation of live streams, API key rules, login hardening and rate
 * limits, password strength. With TEST_DATABASE_URL, two instances share one database (and
 * Redis with TEST_REDIS_URL), and changes made through A must reach streams held on B; in
 * embedded mode A and B are the same instance.
 */
const strongPassword = () => `Tr4vel-${randomBytes(9).toString('base64url')}-lamp`;
const unique = (what: string) => `${what}-${randomBytes(4).toString('hex')}@example.test`;

let a: TestApp;
let b: TestApp;
let database: Awaited<ReturnType<typeof testDatabaseEnv>>;
let adminA: ApiClient;

beforeAll(async () => {
  database = await testDatabaseEnv();
  const env = {
    QUEUE_PREFIX: `cdt-sec-${randomBytes(4).toString('hex')}`,
    EVENT_POLL_MS: '200',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    LOGIN_MAX_FAILURES: '3',
  };
  a = await startTestApp({ database, redis: true, env });
  b = TEST_DATABASE_URL ? await startTestApp({ database, redis: true, env }) : a;
  adminA = api(a.baseUrl, await login(a.baseUrl));
}, 180_000);

afterAll(async () => {
  if (b !== a) await b?.close();
  await a?.close();
  await database?.drop();
});

async function newUser(role: 'admin' | 'agent' | 'viewer', password = strongPassword()) {
  const email = unique(role);
  const res = await adminA.post('/api/v1/users', { email, name: `Sec ${role}`, role, password });
  if (res.status !== 201) throw new Error(`creating ${role}: ${res.status} ${JSON.stringify(res.body)}`);
  const token = await login(a.baseUrl, email, password);
  return { id: res.body.id as string, email, password, token };
}

/** A subscribed WebSocket client on instance B. */
async function streamOnB(token: string): Promise<EventsClient> {
  const c = await EventsClient.connect(b.baseUrl, token);
  c.send({ type: 'subscribe', topics: ['users'] });
  await c.next('subscribed');
  return c;
}

describe('revocation reaches live streams and old tokens (item 4)', () => {
  it('revoking an API key through A closes its WebSocket stream on B', async () => {
    const key = await adminA.post('/api/v1/api-keys', { name: 'streamer', scopes: ['users:read'] });
    expect(key.status).toBe(201);
    const c = await streamOnB(key.body.secret);
    try {
      expect((await adminA.delete(`/api/v1/api-keys/${key.body.id}`)).status).toBe(200);
      await c.until((x) => x.closed !== null, 10_000, 'the stream of the revoked key to close');
      expect(c.closed?.code).toBe(4401);
    } finally {
      c.ws.terminate();
    }
  });

  it("deactivating a user through A closes the user's stream on B", async () => {
    const viewer = await newUser('viewer');
    const c = await streamOnB(viewer.token);
    try {
      expect((await adminA.patch(`/api/v1/users/${viewer.id}`, { active: false })).status).toBe(200);
      await c.until((x) => x.closed !== null, 10_000, 'the stream of the deactivated user to close');
      expect(c.closed?.code).toBe(4401);
    } finally {
      c.ws.terminate();
    }
  });

  it('a password change refuses JWTs issued before it, on REST and on open streams', async () => {
    const viewer = await newUser('viewer');
    const c = await streamOnB(viewer.token);
    try {
      const newPassword = strongPassword();
      const changed = await adminA.patch(`/api/v1/users/${viewer.id}`, { password: newPassword });
      expect(changed.status).toBe(200);
      await c.until((x) => x.closed !== null, 10_000, 'the stream to close after the password change');
      expect(c.closed?.code).toBe(4401);
      for (const t of [a, b]) {
        const old = await api(t.baseUrl, viewer.token).get('/api/v1/auth/me');
        expect(old.status).toBe(401);
      }
      const fresh = await login(a.baseUrl, viewer.email, newPassword);
      expect((await api(b.baseUrl, fresh).get('/api/v1/auth/me')).status).toBe(200);
    } finally {
      c.ws.terminate();
    }
  });

  it('a role change refuses older JWTs; a name change keeps the stream open', async () => {
    const agent = await newUser('agent');
    const c = await streamOnB(agent.token);
    try {
      expect((await adminA.patch(`/api/v1/users/${agent.id}`, { name: 'Renamed' })).status).toBe(200);
      await c.until((x) => x.events().some((e) => e.entityId === agent.id), 10_000, 'the rename event');
      expect((await api(b.baseUrl, agent.token).get('/api/v1/auth/me')).status).toBe(200);
      expect((await adminA.patch(`/api/v1/users/${agent.id}`, { role: 'viewer' })).status).toBe(200);
      await c.until((x) => x.closed !== null, 10_000, 'the stream to close after the role change');
      expect(c.closed?.code).toBe(4401);
      expect((await api(a.baseUrl, agent.token).get('/api/v1/auth/me')).status).toBe(401);
    } finally {
      c.ws.terminate();
    }
  });
});

describe('API keys: who may mint and revoke (item 5)', () => {
  const mint = (by: ApiClient, scopes: string[], extra: Record<string, unknown> = {}) =>
    by.post('/api/v1/api-keys', { name: `k-${randomBytes(3).toString('hex')}`, scopes, ...extra });

  it('a key without keys:write can neither create nor revoke keys', async () => {
    const target = await mint(adminA, ['kb:read']);
    const weak = api(a.baseUrl, (await mint(adminA, ['kb:read', 'users:write'])).body.secret);
    const created = await weak.post('/api/v1/api-keys', { name: 'child', scopes: ['kb:read'] });
    expect(created.status).toBe(403);
    expect(created.body.detail).toContain('keys:write');
    expect((await weak.delete(`/api/v1/api-keys/${target.body.id}`)).status).toBe(403);
    const agent = await newUser('agent');
    expect((await mint(api(a.baseUrl, agent.token), ['kb:read'])).status).toBe(403);
  });

  it('a keys:write key mints only keys within its scopes and lifetime', async () => {
    const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const parent = await mint(adminA, ['keys:write', 'kb:read'], { expiresAt });
    expect(parent.status).toBe(201);
    const minter = api(a.baseUrl, parent.body.secret);
    const child = await mint(minter, ['kb:read']);
    expect(child.status).toBe(201);
    expect(child.body.expiresAt).toBe(expiresAt);
    const sooner = new Date(Date.now() + 3600_000).toISOString();
    expect((await mint(minter, ['kb:read'], { expiresAt: sooner })).body.expiresAt).toBe(sooner);
    const later = new Date(Date.now() + 48 * 3600_000).toISOString();
    const outlives = await mint(minter, ['kb:read'], { expiresAt: later });
    expect(outlives.status).toBe(403);
    expect(outlives.body.detail).toContain('outlives');
    const wider = await mint(minter, ['kb:read', 'tickets:read']);
    expect(wider.status).toBe(403);
    expect(wider.body.detail).toContain('tickets:read');
    expect((await mint(minter, ['admin'])).status).toBe(403);
  });

  it('a key cannot revoke a key with more power than itself, but can revoke itself', async () => {
    const minter = api(a.baseUrl, (await mint(adminA, ['keys:write', 'kb:read'])).body.secret);
    const stronger = await mint(adminA, ['kb:read', 'tickets:write']);
    const denied = await minter.delete(`/api/v1/api-keys/${stronger.body.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('more power');
    expect((await api(a.baseUrl, stronger.body.secret).get('/api/v1/auth/me')).status).toBe(200);
    const child = await mint(minter, ['kb:read']);
    expect((await minter.delete(`/api/v1/api-keys/${child.body.id}`)).status).toBe(200);
    const lone = await mint(adminA, ['tickets:read']);
    const self = api(a.baseUrl, lone.body.secret);
    expect((await self.delete(`/api/v1/api-keys/${lone.body.id}`)).status).toBe(200);
    expect((await self.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('a users:write key cannot make an admin or take over one', async () => {
    const scopes = ['kb:read', 'tickets:read', 'users:read', 'users:write'];
    const key = api(a.baseUrl, (await mint(adminA, scopes)).body.secret);
    const made = await key.post('/api/v1/users', {
      email: unique('escalate'),
      name: 'Escalate',
      role: 'admin',
      password: strongPassword(),
    });
    expect(made.status).toBe(403);
    const viewer = await newUser('viewer');
    expect((await key.patch(`/api/v1/users/${viewer.id}`, { role: 'admin' })).status).toBe(403);
    const me = await adminA.get('/api/v1/auth/me');
    expect((await key.patch(`/api/v1/users/${me.body.id}`, { password: strongPassword() })).status).toBe(403);
    expect((await key.patch(`/api/v1/users/${viewer.id}`, { name: 'Still a viewer' })).status).toBe(200);
  });
});

describe('passwords: weak ones are refused with the reason (item 7)', () => {
  const create = (password: string) =>
    adminA.post('/api/v1/users', { email: unique('pw'), name: 'Pat Word', role: 'viewer', password });
  const passwordError = (body: { errors?: { field: string; message: string }[] }) =>
    body.errors?.find((e) => e.field === 'password')?.message ?? '';

  it.each([
    ['password1234', 'commonly used password'],
    ['short-pw', 'at least 12 characters'],
    ['qwertyuiopasdf', 'too easy to guess'],
    ['aaaaaaaaaaaaaaaaaaaa', 'too easy to guess'],
  ])('refuses %s at creation', async (password, reason) => {
    const res = await create(password);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(passwordError(res.body)).toContain(reason);
  });

  it('refuses a weak new password and keeps the old one working', async () => {
    const user = await newUser('viewer');
    const res = await adminA.patch(`/api/v1/users/${user.id}`, { password: 'iloveyou2024' });
    expect(res.status).toBe(400);
    expect(passwordError(res.body)).toContain('too easy to guess');
    expect(await login(a.baseUrl, user.email, user.password)).toBeTruthy();
    expect((await create(strongPassword())).status).toBe(201);
  });
});

describe('login: no timing oracle, per-account and per-IP limits, X-Forwarded-For (item 6)', () => {
  const attempt = (t: TestApp, email: string, password: string, headers: Record<string, string> = {}) =>
    api(t.baseUrl).post('/api/v1/auth/login', { email, password }, headers);
  const passwordChecks = async () => {
    const text = (await api(a.baseUrl).get('/metrics')).body as string;
    return Number(/^context_desk_login_password_checks_total (\d+)/m.exec(text)?.[1] ?? NaN);
  };

  it('an unknown email costs the same argon2 verification as a wrong password', async () => {
    const user = await newUser('viewer');
    const inactive = await newUser('viewer');
    await adminA.patch(`/api/v1/users/${inactive.id}`, { active: false });
    const cases: [string, string][] = [
      [unique('nobody'), 'some-password-123'],
      [user.email, 'wrong-password-123'],
      [inactive.email, inactive.password],
    ];
    for (const [email, password] of cases) {
      const before = await passwordChecks();
      const res = await attempt(a, email, password);
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe('email or password is incorrect');
      expect(await passwordChecks()).toBe(before + 1);
    }
  }, 120_000);

  it('locks an account after LOGIN_MAX_FAILURES failures, on every instance, right password or not', async () => {
    const user = await newUser('viewer');
    const other = await newUser('viewer');
    // With Redis the count is shared: failures alternate between the instances.
    const via = (i: number) => (TEST_REDIS_URL && i % 2 ? b : a);
    for (let i = 0; i < 3; i++)
      expect((await attempt(via(i), user.email, `wrong-${i}-password`)).status).toBe(401);
    const locked = await attempt(via(1), user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.detail).toContain('too many failed sign-ins');
    expect((await attempt(via(1), other.email, other.password)).status).toBe(200);
  }, 120_000);

  describe('on an instance with default proxy settings and small limits', () => {
    let c: TestApp;
    let userX: ApiClient;
    let userY: ApiClient;
    beforeAll(async () => {
      c = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '30', LOGIN_RATE_LIMIT_PER_MINUTE: '6' } });
      const admin = api(c.baseUrl, await login(c.baseUrl)); // login 1 of 6 from 127.0.0.1
      const make = async () => {
        const email = unique('rl');
        const password = strongPassword();
        await admin.post('/api/v1/users', { email, name: 'Rate', role: 'viewer', password });
        return api(c.baseUrl, await login(c.baseUrl, email, password));
      };
      userX = await make(); // login 2
      userY = await make(); // login 3
    }, 180_000);
    afterAll(() => c?.close());

    it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
      for (let i = 4; i <= 6; i++) {
        const res = await attempt(c, unique('xff'), 'not-the-password', {
          'X-Forwarded-For': `198.51.100.${i}`,
        });
        expect(res.status).toBe(401);
      }
      const res = await attempt(c, unique('xff'), 'not-the-password', { 'X-Forwarded-For': '203.0.113.9' });
      expect(res.status).toBe(429);
      expect(res.body.detail).toContain('from this address');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('limits authenticated REST traffic per user, not per IP', async () => {
      let status = 200;
      let n = 0;
      while (status === 200 && n < 40) {
        status = (await userX.get('/api/v1/auth/me')).status;
        n++;
      }
      expect(status).toBe(429);
      expect(n).toBe(31);
      const limited = await userX.get('/api/v1/auth/me');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await userY.get('/api/v1/auth/me')).status).toBe(200);
    });
  });
});
