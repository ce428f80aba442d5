import SwaggerParser from '@apidevtools/swagger-parser';
import { JwtService } from '@nestjs/jwt';
import { JWT_AUDIENCE, JWT_ISSUER } from '@app/auth';
import { startTestApp, ADMIN_EMAIL, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient, type OpenApiDocument } from './support/http';

describe('auth, users, API keys, events and audit over REST', () => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  it('logs in and describes the caller', async () => {
    const res = await api(t.baseUrl).post('/api/v1/auth/login', {
      email: ADMIN_EMAIL,
      password: 'admin-password-for-tests',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    const me = await admin.get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ email: ADMIN_EMAIL, role: 'admin', kind: 'user' });
    expect(me.body.scopes).toContain('admin');
  });

  it('refuses bad credentials with problem+json and audits the attempt', async () => {
    const res = await api(t.baseUrl).post('/api/v1/auth/login', {
      email: ADMIN_EMAIL,
      password: 'wrong-password',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      detail: 'email or password is incorrect',
    });
    const audit = await admin.get('/api/v1/audit?action=auth.login&outcome=denied');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
  });

  it('answers 401 problem+json without a token and with a forged one', async () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { Authorization: 'Bearer not-a-jwt' },
      { Authorization: 'Bearer cdk_nope_nope' },
    ]) {
      const res = await api(t.baseUrl).get('/api/v1/users', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.problem.detail).toBeTruthy();
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('verifies JWTs through passport-jwt: expired, foreign audience, other secret and alg none are refused', async () => {
    const jwt = t.app.get(JwtService);
    const me = (await admin.get('/api/v1/auth/me')).body as { id: string; email: string };
    const claims = { scope: 'tickets:read', email: me.email, cv: 0 };
    const base = { subject: me.id, issuer: JWT_ISSUER };
    const valid = await jwt.signAsync(claims, { ...base, audience: JWT_AUDIENCE, expiresIn: 60 });
    const ok = await api(t.baseUrl).get('/api/v1/auth/me', { Authorization: `Bearer ${valid}` });
    expect(ok.status).toBe(200);
    expect(ok.body.scopes).toEqual(['tickets:read']);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = valid.split('.')[1];
    const cases: [string, RegExp][] = [
      [await jwt.signAsync(claims, { ...base, audience: JWT_AUDIENCE, expiresIn: -10 }), /has expired/],
      [await jwt.signAsync(claims, { ...base, audience: 'someone-else', expiresIn: 60 }), /not valid/],
      [
        await jwt.signAsync(claims, {
          ...base,
          audience: JWT_AUDIENCE,
          expiresIn: 60,
          secret: 'x'.repeat(40),
        }),
        /not valid/,
      ],
      [`${header}.${payload}.`, /not valid/],
    ];
    for (const [token, detail] of cases) {
      const res = await api(t.baseUrl).get('/api/v1/auth/me', { Authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.problem.detail).toMatch(detail);
    }
  });

  it('gives 400 with field errors for invalid bodies and for malformed JSON', async () => {
    const bad = await admin.raw.post('/api/v1/users', { email: 'not-an-email', role: 'boss', extra: 1 });
    expect(bad.status).toBe(400);
    const fields = bad.problem.errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'role', 'name', 'extra']));
    const malformed = await admin.raw.request('POST', '/api/v1/users', '{"email":', {
      'Content-Type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400, detail: 'the request body is not valid JSON' });
  });

  it('enforces role scopes: viewer reads, cannot write; agent cannot manage users', async () => {
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    const agent = await userClient(t.baseUrl, admin, 'agent');
    expect((await viewer.get('/api/v1/users')).status).toBe(200);
    const denied = await viewer.post('/api/v1/users', { email: 'x@example.test', name: 'X', role: 'viewer' });
    expect(denied.status).toBe(403);
    expect(denied.problem.detail).toContain('users:write');
    expect(
      (await agent.post('/api/v1/users', { email: 'y@example.test', name: 'Y', role: 'viewer' })).status,
    ).toBe(403);
    // Refused means nothing was written (q matches substrings: viewer-…x@example.test is not x@).
    for (const email of ['x@example.test', 'y@example.test']) {
      const found = (await admin.get(`/api/v1/users?q=${email}`)).body.items;
      expect(found.filter((u) => u.email === email)).toEqual([]);
    }
    expect((await agent.get('/api/v1/audit')).status).toBe(403);
    expect((await admin.get('/api/v1/audit')).status).toBe(200);
  });

  it('updates users with optimistic concurrency: one of two writers gets 409', async () => {
    const created = await admin.post('/api/v1/users', {
      email: 'race@example.test',
      name: 'Race',
      role: 'viewer',
    });
    const id = created.body.id;
    const [a, b] = await Promise.all([
      admin.patch(`/api/v1/users/${id}`, { name: 'Writer A' }, { 'If-Match': '1' }),
      admin.patch(`/api/v1/users/${id}`, { name: 'Writer B' }, { 'If-Match': '1' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.problem.currentVersion).toBe(2);
    const now = await admin.get(`/api/v1/users/${id}`);
    expect(now.body.name).toBe(winner.body.name);
    expect(now.body.version).toBe(2);
  });

  it('deactivating a user stops their token at once', async () => {
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    expect((await viewer.get('/api/v1/auth/me')).status).toBe(200);
    expect((await admin.patch(`/api/v1/users/${viewer.userId}`, { active: false })).status).toBe(200);
    expect((await viewer.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('runs the API key lifecycle: create (secret once), use, scope refusal, revoke', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'reader', scopes: ['users:read'] });
    expect(created.status).toBe(201);
    const secret = created.body.secret;
    expect(secret).toMatch(/^cdk_/);
    const key = api(t.baseUrl, secret);
    expect((await key.get('/api/v1/users')).status).toBe(200);
    expect(
      (await key.post('/api/v1/users', { email: 'k@example.test', name: 'K', role: 'viewer' })).status,
    ).toBe(403);
    const listed = await admin.get('/api/v1/api-keys');
    const row = listed.body.items.find((k) => k.id === created.body.id);
    expect(row).not.toHaveProperty('secret');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(row?.lastUsedAt).not.toBeNull();
    expect((await admin.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(200);
    expect((await key.get('/api/v1/users')).status).toBe(401);
  });

  it('refuses API key scopes beyond the creator', async () => {
    const agent = await userClient(t.baseUrl, admin, 'agent');
    const res = await agent.post('/api/v1/api-keys', { name: 'too much', scopes: ['users:write'] });
    expect(res.status).toBe(403);
    const unknown = await agent.raw.post('/api/v1/api-keys', { name: 'typo', scopes: ['kb:reed'] });
    expect(unknown.status).toBe(400);
  });

  it('paginates users with cursors, without overlap or gap', async () => {
    for (let i = 0; i < 7; i++)
      await admin.post('/api/v1/users', { email: `page${i}@example.test`, name: `P${i}`, role: 'viewer' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { email: string }[]; nextCursor: string | null } } = await admin.get(
        `/api/v1/users?q=page&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.items.map((u) => u.email));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...Array(7).keys()].map((i) => `page${i}@example.test`));
    expect((await admin.get('/api/v1/users?limit=101')).status).toBe(400);
    expect((await admin.get('/api/v1/users?cursor=garbage')).status).toBe(400);
  });

  it('lists user events in id order, one per change, filtered by scope', async () => {
    const before = await admin.get('/api/v1/events?topic=users');
    const lastId = before.body.items.at(-1)?.id ?? 0;
    const u = await admin.post('/api/v1/users', { email: 'evented@example.test', name: 'E', role: 'viewer' });
    await admin.patch(`/api/v1/users/${u.body.id}`, { name: 'E2' });
    const after = await admin.get(`/api/v1/events?after=${lastId}`);
    const mine = after.body.items.filter((e: { entityId: string }) => e.entityId === u.body.id);
    expect(mine.map((e: { event: string }) => e.event)).toEqual(['user.created', 'user.updated']);
    const ids = after.body.items.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const keyRes = await admin.post('/api/v1/api-keys', { name: 'kb only', scopes: ['kb:read'] });
    const kbOnly = await api(t.baseUrl, keyRes.body.secret).get('/api/v1/events?after=0');
    expect(kbOnly.body.items.every((e: { topic: string }) => e.topic === 'documents')).toBe(true);
  });

  it('serves a valid OpenAPI 3 document', async () => {
    const res = await api(t.baseUrl).raw.get<OpenApiDocument>('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    type ParserDocument = Exclude<Parameters<typeof SwaggerParser.validate>[0], string>;
    const whole = await api(t.baseUrl).raw.get<ParserDocument>('/api/openapi.json');
    await expect(SwaggerParser.validate(whole.body)).resolves.toBeTruthy();
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users', '/api/v1/api-keys']),
    );
    // Nullable strings stay strings (a bare zod `.nullable()` string once came out as string[]).
    const schemas = res.body.components.schemas;
    const pages = Object.entries(schemas).filter(([name]) => name.endsWith('Page'));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const [, page] of pages)
      expect(page.properties?.nextCursor).toMatchObject({ type: 'string', nullable: true });
    expect(schemas.DocumentResponse.properties?.collection).toMatchObject({ type: 'string', nullable: true });
    expect(schemas.UserResponse.properties?.lastLoginAt).toMatchObject({ type: 'string', nullable: true });
  });
});
