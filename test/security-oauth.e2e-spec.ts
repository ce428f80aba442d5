import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { api, login, type ApiClient } from './support/http';
import { mcpClient } from './support/mcp-client';
import { CookieJar, authorizeApp, registerClient, tokenRequest } from './support/oauth';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 9 item 4 for OAuth access tokens: deactivating a user or changing their password or role
 * stops the tokens their connected apps hold (access and refresh), and closes the MCP streams
 * those apps have open, within seconds, as it does for JWTs and API keys.
 */

const strongPassword = () => `Tr4vel-${randomBytes(9).toString('base64url')}-lamp`;

describe('security: OAuth tokens obey revocation (issue 9 item 4)', () => {
  let t: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { EVENT_POLL_MS: '200' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  /** A user who connected an app (with kb:read): their JWT, the app's tokens, the browser's session. */
  async function connectedUser(role: 'agent' | 'viewer') {
    const email = `oauth-${randomBytes(4).toString('hex')}@example.test`;
    const password = strongPassword();
    const created = await admin.post('/api/v1/users', { email, name: 'OAuth user', role, password });
    expect(created.status).toBe(201);
    const jwt = await login(t.baseUrl, email, password);
    const { body: client } = await registerClient(t.baseUrl, { client_name: 'Revocation test app' });
    const jar = new CookieJar();
    const { tokens, consented } = await authorizeApp(t.baseUrl, jar, client.client_id, jwt, ['kb:read']);
    expect(consented).toBe(true);
    return { id: created.body.id, email, clientId: client.client_id as string, jar, tokens };
  }

  const me = (token: string) => api(t.baseUrl, token).get('/api/v1/auth/me');
  const refresh = (clientId: string, refreshToken: string) =>
    tokenRequest(t.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    });

  /** A 2026-07-28 listen stream held with the app's access token. */
  async function listenWith(token: string) {
    const client = new Client(
      { name: 'oauth-app', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${t.baseUrl}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    const sub = await client.listen({ resourceSubscriptions: ['kb://documents/anything'] });
    return { client, sub };
  }

  const closedWithin = (closed: Promise<unknown>, ms: number) =>
    Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), ms))]);

  it("a password change stops the app's access and refresh tokens and closes its MCP streams", async () => {
    const u = await connectedUser('agent');
    const session = await mcpClient(t.baseUrl, u.tokens.access_token);
    await session.client.listTools();
    const stream = await listenWith(u.tokens.access_token);
    expect((await me(u.tokens.access_token)).status).toBe(200);

    expect((await admin.patch(`/api/v1/users/${u.id}`, { password: strongPassword() })).status).toBe(200);

    const old = await me(u.tokens.access_token);
    expect(old.status).toBe(401);
    expect(old.problem.detail).toContain('authorize the app again');
    const refreshed = await refresh(u.clientId, u.tokens.refresh_token);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(await closedWithin(stream.sub.closed, 10_000)).toBe('remote');
    await expect(session.client.listTools()).rejects.toThrow(/401|404|Unauthorized|Session not found/i);
    await stream.client.close().catch(() => undefined);
    await session.close().catch(() => undefined);
  });

  it('after the change, the browser session does not reuse the old grant: the user consents again', async () => {
    const u = await connectedUser('viewer');
    const password = strongPassword();
    expect((await admin.patch(`/api/v1/users/${u.id}`, { password })).status).toBe(200);
    const fresh = await login(t.baseUrl, u.email, password);
    const asUser = api(t.baseUrl, fresh);
    expect((await asUser.get('/api/v1/connected-apps')).body.items).toEqual([]);
    const again = await authorizeApp(t.baseUrl, u.jar, u.clientId, fresh, ['kb:read']);
    expect(again.consented).toBe(true);
    expect((await asUser.get('/api/v1/connected-apps')).body.items).toEqual([
      expect.objectContaining({ clientId: u.clientId, scopes: ['kb:read'] }),
    ]);
    expect((await me(again.tokens.access_token)).status).toBe(200);
    expect((await me(u.tokens.access_token)).status).toBe(401);
  });

  it("a role change stops the app's tokens", async () => {
    const u = await connectedUser('agent');
    expect((await admin.patch(`/api/v1/users/${u.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await me(u.tokens.access_token)).status).toBe(401);
    expect((await refresh(u.clientId, u.tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it("deactivating the user stops the app's tokens and closes its streams", async () => {
    const u = await connectedUser('viewer');
    const stream = await listenWith(u.tokens.access_token);
    expect((await admin.patch(`/api/v1/users/${u.id}`, { active: false })).status).toBe(200);
    expect((await me(u.tokens.access_token)).status).toBe(401);
    expect((await refresh(u.clientId, u.tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect(await closedWithin(stream.sub.closed, 10_000)).toBe('remote');
    await stream.client.close().catch(() => undefined);
  });

  it('a name change keeps the tokens working, and without a change the session reuses the grant', async () => {
    const u = await connectedUser('viewer');
    expect((await admin.patch(`/api/v1/users/${u.id}`, { name: 'Renamed' })).status).toBe(200);
    expect((await me(u.tokens.access_token)).status).toBe(200);
    const next = await refresh(u.clientId, u.tokens.refresh_token);
    expect(next.status).toBe(200);
    expect((await me(next.body.access_token)).status).toBe(200);
    const again = await authorizeApp(t.baseUrl, u.jar, u.clientId, 'no-sign-in-needed', ['kb:read']);
    expect(again.consented).toBe(false);
  });
});
