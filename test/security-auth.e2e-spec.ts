import { randomBytes } from 'node:crypto';
import { DatabaseService } from '@app/database';
import { api, login, type ApiClient, type Problem, type Schemas } from './support/http';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testDatabaseEnv } from './support/test-db';
import { startTestApp, type TestApp } from './support/test-app';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mcpClient, postMcp } from './support/mcp-client';
import { expectNothingWritten } from './support/no-writes';
import { registerClient } from './support/oauth';
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
}, 300_000);

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
  return { id: res.body.id, email, password, token };
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

describe('revocation reaches MCP streams on every instance (item 4)', () => {
  /** A 2026-07-28 listen stream and a 2025-11-25 session on B, held with `token`. */
  async function mcpOnB(token: string) {
    const modern = new Client(
      { name: 'sec-listen', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await modern.connect(
      new StreamableHTTPClientTransport(new URL(`${b.baseUrl}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    const sub = await modern.listen({ resourceSubscriptions: ['kb://documents/anything'] });
    const session = await mcpClient(b.baseUrl, token);
    await session.client.listTools();
    const closed = () =>
      Promise.race([sub.closed, new Promise((r) => setTimeout(() => r('still open'), 10_000))]);
    return { modern, sub, session, closed };
  }

  it.each([
    ['deactivating the user', { active: false }],
    ['a password change', { password: strongPassword() }],
    ['a role change', { role: 'viewer' as const }],
  ])("%s through A closes the user's MCP stream and session on B", async (_what, change) => {
    const agent = await newUser('agent');
    const m = await mcpOnB(agent.token);
    try {
      expect((await adminA.patch(`/api/v1/users/${agent.id}`, change)).status).toBe(200);
      expect(await m.closed()).toBe('remote');
      await expect(m.session.client.listTools()).rejects.toThrow(/401|404|Unauthorized|Session not found/i);
    } finally {
      await m.modern.close().catch(() => undefined);
      await m.session.close().catch(() => undefined);
    }
  });
});

describe('API keys: who may mint and revoke (item 5)', () => {
  type Scope = Schemas['CreateApiKeyDto']['scopes'][number];
  const mint = (by: ApiClient, scopes: Scope[], extra: Partial<Schemas['CreateApiKeyDto']> = {}) =>
    by.post('/api/v1/api-keys', { name: `k-${randomBytes(3).toString('hex')}`, scopes, ...extra });
  // A refused mint or revoke leaves every key as it was (lastUsedAt aside: the caller's key was used).
  const keys = () =>
    a.app.get(DatabaseService).prisma.apiKey.findMany({
      select: { id: true, scopes: true, expiresAt: true, revokedAt: true },
      orderBy: { id: 'asc' },
    });
  const refused = <T>(call: () => Promise<T>) => expectNothingWritten(a.app, keys, call);

  it('a key without keys:write can neither create nor revoke keys', async () => {
    const target = await mint(adminA, ['kb:read']);
    const weak = api(a.baseUrl, (await mint(adminA, ['kb:read', 'users:write'])).body.secret);
    const created = await refused(() =>
      weak.post('/api/v1/api-keys', { name: 'child', scopes: ['kb:read'] }),
    );
    expect(created.status).toBe(403);
    expect(created.problem.detail).toContain('keys:write');
    expect((await refused(() => weak.delete(`/api/v1/api-keys/${target.body.id}`))).status).toBe(403);
    const agent = await newUser('agent');
    expect((await refused(() => mint(api(a.baseUrl, agent.token), ['kb:read']))).status).toBe(403);
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
    const outlives = await refused(() => mint(minter, ['kb:read'], { expiresAt: later }));
    expect(outlives.status).toBe(403);
    expect(outlives.problem.detail).toContain('outlives');
    const wider = await refused(() => mint(minter, ['kb:read', 'tickets:read']));
    expect(wider.status).toBe(403);
    expect(wider.problem.detail).toContain('tickets:read');
    expect((await refused(() => mint(minter, ['admin']))).status).toBe(403);
  });

  it('a key cannot revoke a key with more power than itself, but can revoke itself', async () => {
    const minter = api(a.baseUrl, (await mint(adminA, ['keys:write', 'kb:read'])).body.secret);
    const stronger = await mint(adminA, ['kb:read', 'tickets:write']);
    const denied = await refused(() => minter.delete(`/api/v1/api-keys/${stronger.body.id}`));
    expect(denied.status).toBe(403);
    expect(denied.problem.detail).toContain('more power');
    expect((await api(a.baseUrl, stronger.body.secret).get('/api/v1/auth/me')).status).toBe(200);
    const child = await mint(minter, ['kb:read']);
    expect((await minter.delete(`/api/v1/api-keys/${child.body.id}`)).status).toBe(200);
    const lone = await mint(adminA, ['tickets:read']);
    const self = api(a.baseUrl, lone.body.secret);
    expect((await self.delete(`/api/v1/api-keys/${lone.body.id}`)).status).toBe(200);
    expect((await self.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('a users:write key cannot make an admin or take over one', async () => {
    const scopes: Scope[] = ['kb:read', 'tickets:read', 'users:read', 'users:write'];
    const key = api(a.baseUrl, (await mint(adminA, scopes)).body.secret);
    // Refused: no user made, none changed (same roles, same versions, same password hashes).
    const users = () =>
      a.app.get(DatabaseService).prisma.user.findMany({
        select: { id: true, role: true, version: true, passwordHash: true },
        orderBy: { id: 'asc' },
      });
    const made = await expectNothingWritten(a.app, users, () =>
      key.post('/api/v1/users', {
        email: unique('escalate'),
        name: 'Escalate',
        role: 'admin',
        password: strongPassword(),
      }),
    );
    expect(made.status).toBe(403);
    const viewer = await newUser('viewer');
    const promoted = await expectNothingWritten(a.app, users, () =>
      key.patch(`/api/v1/users/${viewer.id}`, { role: 'admin' }),
    );
    expect(promoted.status).toBe(403);
    const me = await adminA.get('/api/v1/auth/me');
    const takenOver = await expectNothingWritten(a.app, users, () =>
      key.patch(`/api/v1/users/${me.body.id}`, { password: strongPassword() }),
    );
    expect(takenOver.status).toBe(403);
    expect((await key.patch(`/api/v1/users/${viewer.id}`, { name: 'Still a viewer' })).status).toBe(200);
  });
});

describe('passwords: weak ones are refused with the reason (item 7)', () => {
  const create = (password: string) =>
    adminA.post('/api/v1/users', { email: unique('pw'), name: 'Pat Word', role: 'viewer', password });
  const passwordError = (problem: Problem) =>
    problem.errors?.find((e) => e.field === 'password')?.message ?? '';

  it.each([
    ['password1234', 'commonly used password'],
    ['short-pw', 'at least 12 characters'],
    ['qwertyuiopasdf', 'too easy to guess'],
    ['aaaaaaaaaaaaaaaaaaaa', 'too easy to guess'],
  ])('refuses %s at creation', async (password, reason) => {
    const res = await create(password);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(passwordError(res.problem)).toContain(reason);
  });

  it('refuses a weak new password and keeps the old one working', async () => {
    const user = await newUser('viewer');
    const res = await adminA.patch(`/api/v1/users/${user.id}`, { password: 'iloveyou2024' });
    expect(res.status).toBe(400);
    expect(passwordError(res.problem)).toContain('too easy to guess');
    expect(await login(a.baseUrl, user.email, user.password)).toBeTruthy();
    expect((await create(strongPassword())).status).toBe(201);
  });
});

describe('login: no timing oracle, per-account and per-IP limits, X-Forwarded-For (item 6)', () => {
  const attempt = (t: TestApp, email: string, password: string, headers: Record<string, string> = {}) =>
    api(t.baseUrl).post('/api/v1/auth/login', { email, password }, headers);
  const passwordChecks = async () => {
    const text = (await api(a.baseUrl).raw.get<string>('/metrics')).body;
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
      expect(res.problem.detail).toBe('email or password is incorrect');
      expect(await passwordChecks()).toBe(before + 1);
    }
  }, 300_000);

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
    expect(locked.problem.detail).toContain('too many failed sign-ins');
    expect((await attempt(via(1), other.email, other.password)).status).toBe(200);
  }, 300_000);

  describe('on an instance with default proxy settings and small limits', () => {
    let c: TestApp;
    let admin: ApiClient;
    let userX: ApiClient;
    let userY: ApiClient;
    beforeAll(async () => {
      c = await startTestApp({
        env: {
          RATE_LIMIT_PER_MINUTE: '30',
          LOGIN_RATE_LIMIT_PER_MINUTE: '6',
          OAUTH_REGISTRATION_RATE_LIMIT_PER_HOUR: '3',
        },
      });
      admin = api(c.baseUrl, await login(c.baseUrl)); // login 1 of 6 from 127.0.0.1
      const make = async () => {
        const email = unique('rl');
        const password = strongPassword();
        await admin.post('/api/v1/users', { email, name: 'Rate', role: 'viewer', password });
        return api(c.baseUrl, await login(c.baseUrl, email, password));
      };
      userX = await make(); // login 2
      userY = await make(); // login 3
    }, 300_000);
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
      expect(res.problem.detail).toContain('from this address');
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

    it('limits MCP traffic per API key: 429, Retry-After and a JSON-RPC error with the request id', async () => {
      const mint = async (name: string) =>
        (await admin.post('/api/v1/api-keys', { name, scopes: ['kb:read'] })).body.secret;
      const [keyA, keyB] = [await mint('mcp-a'), await mint('mcp-b')];
      const limited = await mcpClient(c.baseUrl, keyA);
      let calls = 0;
      let refusal: (Error & { code?: number }) | undefined;
      try {
        while (calls < 40) {
          await limited.client.callTool({ name: 'whoami', arguments: {} });
          calls++;
        }
      } catch (e) {
        refusal = e as Error & { code?: number };
      }
      // 30 requests a minute, the handshake included: the SDK client reads the 429 and its message.
      expect(calls).toBeLessThan(30);
      expect(refusal?.code).toBe(429);
      expect(refusal?.message).toContain('Too many requests');

      const raw = await postMcp(
        c.baseUrl,
        keyA,
        { jsonrpc: '2.0', id: 'rl-7', method: 'ping' },
        { 'mcp-protocol-version': '2025-11-25' },
      );
      expect(raw.status).toBe(429);
      expect(raw.headers.get('content-type')).toContain('application/json');
      const retryAfter = Number(raw.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await raw.json()) as { jsonrpc: string; id: unknown; error: Record<string, any> };
      expect(body).toMatchObject({ jsonrpc: '2.0', id: 'rl-7', error: { code: -32000 } });
      expect(body.error.message).toMatch(/^Too many requests/);
      expect(body.error.data).toMatchObject({ status: 429, retryAfter, limit: 30 });

      // Counted per key, not per client IP: another key from the same address is served.
      const other = await mcpClient(c.baseUrl, keyB);
      const who = await other.client.callTool({ name: 'whoami', arguments: {} });
      expect(who.isError).toBeFalsy();
      await other.close();
      await limited.client.close();
    });

    it('limits refused /mcp requests per client IP', async () => {
      const attempt = () =>
        fetch(`${c.baseUrl}/mcp`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            Authorization: 'Bearer cdk_not-a-real-key',
            'X-Forwarded-For': `198.51.100.${Math.floor(Math.random() * 250)}`,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      let n = 0;
      let res = await attempt();
      while (res.status === 401 && n < 40) {
        await res.body?.cancel();
        n++;
        res = await attempt();
      }
      expect(n).toBe(30);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        'from this address',
      );
    });

    it('limits OAuth dynamic client registration (POST /register) per client IP', async () => {
      for (let i = 0; i < 3; i++) expect((await registerClient(c.baseUrl)).status).toBe(201);
      const res = await fetch(`${c.baseUrl}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.77' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1:7777/callback'],
          token_endpoint_auth_method: 'none',
        }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toContain('too many client registrations');
      // Other OAuth endpoints are not affected.
      expect((await fetch(`${c.baseUrl}/.well-known/oauth-authorization-server`)).status).toBe(200);
    });
  });
});
