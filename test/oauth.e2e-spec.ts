import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient } from './support/http';
import { mcpClient } from './support/mcp-client';
import { CookieJar, pkcePair, registerClient, tokenRequest } from './support/oauth';

const REDIRECT = 'http://127.0.0.1:7777/callback';
/** The scopes of contract sections 4 and 5a: what an app may be granted (no keys:write). */
const CONTRACT_SCOPES = [
  'kb:read',
  'kb:write',
  'tickets:read',
  'tickets:write',
  'users:read',
  'users:write',
  'admin',
];
/** RFC 9728 protected-resource metadata (served outside the REST API's OpenAPI document). */
interface ProtectedResource {
  authorization_servers: string[];
  scopes_supported: string[];
}

describe('OAuth 2.1 authorization server for MCP clients', () => {
  let t: TestApp;
  let admin: ApiClient;
  let agent: ApiClient & { userId: string; email: string };
  let viewer: ApiClient & { userId: string; email: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    viewer = await userClient(t.baseUrl, admin, 'viewer');
  });
  const streams: { cancel(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.cancel()));
    await t?.close();
  });

  /** Runs authorize → consent (as `user`) → code → tokens, the way a browser and a client would. */
  async function authorize(
    user: ApiClient,
    clientId: string,
    scope: string,
    grant: string[] | 'deny',
  ): Promise<{
    tokens?: Record<string, any>;
    location?: URL;
    consent: Record<string, any>;
    refused?: { status: number; body: any };
  }> {
    const jar = new CookieJar();
    const { verifier, challenge } = pkcePair();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope,
      state: 'st4te',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: `${t.baseUrl}/mcp`,
    });
    let res = await jar.fetch(`${t.baseUrl}/authorize?${q}`);
    expect(res.status).toBe(303);
    const interaction = new URL(res.headers.get('location')!, t.baseUrl);
    expect(interaction.pathname).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
    const uid = interaction.pathname.split('/').pop()!;
    res = await jar.fetch(interaction.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/oauth/${uid}`);
    const auth = { Authorization: `Bearer ${user.token}` };
    res = await jar.fetch(`${t.baseUrl}/oauth/interaction/${uid}/details`, { headers: auth });
    expect(res.status).toBe(200);
    const consent = (await res.json()) as Record<string, any>;
    res = await jar.fetch(`${t.baseUrl}/oauth/interaction/${uid}/${grant === 'deny' ? 'deny' : 'allow'}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(grant === 'deny' ? {} : { scopes: grant }),
    });
    if (res.status !== 200) return { consent, refused: { status: res.status, body: await res.json() } };
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    res = await jar.fetch(redirectTo);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    if (grant === 'deny') return { location, consent };
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st4te');
    const code = location.searchParams.get('code')!;
    const tok = await tokenRequest(t.baseUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
      resource: `${t.baseUrl}/mcp`,
    });
    expect(tok.status).toBe(200);
    return { tokens: tok.body, location, consent };
  }

  it('publishes RFC 8414 metadata (and OpenID discovery) with PKCE S256, registration and the product scopes', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await api(t.baseUrl).raw.get<{ grant_types_supported: string[] }>(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        issuer: t.baseUrl,
        authorization_endpoint: `${t.baseUrl}/authorize`,
        token_endpoint: `${t.baseUrl}/token`,
        registration_endpoint: `${t.baseUrl}/register`,
        revocation_endpoint: `${t.baseUrl}/revoke`,
        code_challenge_methods_supported: ['S256'],
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: CONTRACT_SCOPES,
      });
      expect(res.body.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'refresh_token']),
      );
      expect(res.body.grant_types_supported).not.toContain('implicit');
    }
    const prm = await api(t.baseUrl).raw.get<ProtectedResource>('/.well-known/oauth-protected-resource');
    expect(prm.body.authorization_servers).toEqual([t.baseUrl]);
    expect(prm.body.scopes_supported).toEqual(CONTRACT_SCOPES);
  });

  it('registers public clients dynamically and rejects bad registrations', async () => {
    const ok = await registerClient(t.baseUrl);
    expect(ok.status).toBe(201);
    expect(ok.body.client_id).toEqual(expect.any(String));
    expect(ok.body.client_secret).toBeUndefined();
    const bad = await registerClient(t.baseUrl, { redirect_uris: ['not a url'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_redirect_uri');
    const secret = await registerClient(t.baseUrl, { token_endpoint_auth_method: 'client_secret_basic' });
    expect(secret.status).toBe(400);
  });

  it('requires PKCE with S256', async () => {
    const { body: client } = await registerClient(t.baseUrl);
    const base = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'kb:read',
    };
    const variants: Record<string, string>[] = [
      {},
      { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' },
    ];
    for (const extra of variants) {
      const res = await fetch(`${t.baseUrl}/authorize?${new URLSearchParams({ ...base, ...extra })}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      const loc = new URL(res.headers.get('location')!);
      expect(loc.searchParams.get('error')).toBe('invalid_request');
    }
  });

  it('issues audience-bound tokens with only the granted scopes, capped by the role, that work on /mcp', async () => {
    const { body: client } = await registerClient(t.baseUrl, { client_name: 'Agent desk app' });
    const scope = 'kb:read kb:write tickets:read users:read users:write';
    const { tokens, consent } = await authorize(agent, client.client_id, scope, ['kb:read', 'tickets:read']);
    expect(consent.client.name).toBe('Agent desk app');
    expect(consent.scopes).toEqual(['kb:read', 'kb:write', 'tickets:read', 'users:read']);
    expect(consent.unavailableScopes).toEqual(['users:write']);
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'kb:read tickets:read' });
    expect(tokens!.refresh_token).toEqual(expect.any(String));

    const me = await api(t.baseUrl, tokens!.access_token).get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: agent.userId, scopes: ['kb:read', 'tickets:read'] });

    const mcp = await mcpClient(t.baseUrl, tokens!.access_token);
    const names = (await mcp.client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['search_knowledge', 'search_tickets']));
    expect(names).not.toContain('create_document');
    expect(names).not.toContain('find_users');
    const denied = await api(t.baseUrl, tokens!.access_token).post('/api/v1/documents', {
      slug: 'x',
      title: 'x',
      body: 'x',
    });
    expect(denied.status).toBe(403);
    await mcp.close();
  });

  it('refuses to grant more than the role allows or than was requested', async () => {
    const { body: client } = await registerClient(t.baseUrl);
    const viaViewer = await authorize(viewer, client.client_id, 'kb:read kb:write', ['kb:read', 'kb:write']);
    expect(viaViewer.consent.scopes).toEqual(['kb:read']);
    expect(viaViewer.refused).toMatchObject({
      status: 403,
      body: { detail: expect.stringContaining('kb:write') },
    });
    const notAsked = await authorize(agent, client.client_id, 'kb:read', ['kb:read', 'tickets:read']);
    expect(notAsked.refused?.status).toBe(403);
  });

  it('rotates refresh tokens and refuses a used one', async () => {
    const { body: client } = await registerClient(t.baseUrl);
    const { tokens } = await authorize(agent, client.client_id, 'kb:read tickets:read', [
      'kb:read',
      'tickets:read',
    ]);
    const first = await tokenRequest(t.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: tokens!.refresh_token,
      client_id: client.client_id,
    });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(tokens!.refresh_token);
    expect(first.body.scope).toBe('kb:read tickets:read');
    const reuse = await tokenRequest(t.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: tokens!.refresh_token,
      client_id: client.client_id,
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
  });

  it('sends the client access_denied when the user denies', async () => {
    const { body: client } = await registerClient(t.baseUrl);
    const { location } = await authorize(agent, client.client_id, 'kb:read', 'deny');
    expect(location!.searchParams.get('error')).toBe('access_denied');
  });

  it('the /mcp challenge names the write scopes too; consent grants them only up to the role', async () => {
    const res = await fetch(`${t.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(401);
    const asked = /scope="([^"]+)"/.exec(res.headers.get('www-authenticate')!)![1].split(' ');
    expect([...asked].sort()).toEqual(['kb:read', 'kb:write', 'tickets:read', 'tickets:write', 'users:read']);
    const prm = await api(t.baseUrl).raw.get<ProtectedResource>('/.well-known/oauth-protected-resource');
    expect(prm.body.scopes_supported).toEqual(expect.arrayContaining(asked));

    // A client asks for what the challenge named: an agent can grant all of it, a viewer the reads.
    const { body: client } = await registerClient(t.baseUrl, { client_name: 'Challenge follower' });
    const asAgent = await authorize(agent, client.client_id, asked.join(' '), asked);
    expect(asAgent.tokens!.scope.split(' ').sort()).toEqual([...asked].sort());
    const mcp = await mcpClient(t.baseUrl, asAgent.tokens!.access_token);
    const names = (await mcp.client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['update_ticket', 'comment_on_ticket', 'update_document']));
    await mcp.close();
    const reader = await userClient(t.baseUrl, admin, 'viewer');
    const asViewer = await authorize(reader, client.client_id, asked.join(' '), ['kb:read', 'tickets:read']);
    expect(asViewer.consent.unavailableScopes.sort()).toEqual(['kb:write', 'tickets:write']);
    expect(asViewer.tokens!.scope).toBe('kb:read tickets:read');
  });

  it('lists connected apps and revocation cuts the app off at once, open MCP streams included', async () => {
    const { body: client } = await registerClient(t.baseUrl, { client_name: 'Revocable app' });
    const { tokens } = await authorize(viewer, client.client_id, 'kb:read tickets:read', ['kb:read']);
    const mcp = await mcpClient(t.baseUrl, tokens!.access_token);
    await mcp.client.listTools();
    const stream = await openMcpStream(t.baseUrl, tokens!.access_token);
    streams.push(stream);
    const apps = await viewer.get('/api/v1/connected-apps');
    expect(apps.status).toBe(200);
    expect(apps.body.items).toEqual([
      expect.objectContaining({
        clientId: client.client_id,
        clientName: 'Revocable app',
        scopes: ['kb:read'],
      }),
    ]);
    expect((await agent.get('/api/v1/connected-apps')).body.items.map((a: any) => a.clientId)).not.toContain(
      client.client_id,
    );
    expect((await agent.delete(`/api/v1/connected-apps/${client.client_id}`)).status).toBe(404);
    expect((await viewer.delete(`/api/v1/connected-apps/${client.client_id}`)).status).toBe(204);
    // The revocation reaches every instance through the outbox and closes the app's open stream.
    expect(await Promise.race([stream.ended, sleep(15_000).then(() => 'still open')])).toBe('ended');
    await expect(mcp.client.listTools()).rejects.toThrow();
    const res = await api(t.baseUrl, tokens!.access_token).get('/api/v1/auth/me');
    expect(res.status).toBe(401);
    const refresh = await tokenRequest(t.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: tokens!.refresh_token,
      client_id: client.client_id,
    });
    expect(refresh.body.error).toBe('invalid_grant');
    expect((await viewer.get('/api/v1/connected-apps')).body.items).toEqual([]);
    await mcp.close().catch(() => undefined);
  });

  it("an app's token mints no credential that would outlive revoking the app (API keys, passwords)", async () => {
    const { body: client } = await registerClient(t.baseUrl, { client_name: 'Greedy app' });
    // keys:write is not an app scope: it is neither offered nor granted.
    const { tokens, consent } = await authorize(admin, client.client_id, 'admin keys:write users:write', [
      'admin',
      'users:write',
    ]);
    expect(consent.scopes).toEqual(['admin', 'users:write']);
    expect(tokens!.scope.split(' ').sort()).toEqual(['admin', 'users:write']);
    const app = api(t.baseUrl, tokens!.access_token);
    const keysBefore = (await admin.get('/api/v1/api-keys?limit=100')).body.items.length;

    const key = await app.post('/api/v1/api-keys', { name: 'backdoor', scopes: ['kb:read'] });
    expect(key.status).toBe(403);
    expect(key.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(key.problem.detail).toMatch(/OAuth app's token cannot create API keys/);
    const user = await app.post('/api/v1/users', {
      email: 'backdoor@example.test',
      name: 'Backdoor',
      role: 'admin',
      password: 'plum-lantern-4417-quartz-x',
    });
    expect(user.status).toBe(403);
    expect(user.problem.detail).toMatch(/cannot set passwords/);
    const password = await app.patch(`/api/v1/users/${viewer.userId}`, {
      password: 'plum-lantern-4417-quartz-x',
    });
    expect(password.status).toBe(403);
    expect(password.problem.detail).toMatch(/cannot set passwords/);
    // What mints nothing still works with the same token.
    const renamed = await app.patch(`/api/v1/users/${viewer.userId}`, { name: 'Viewer renamed' });
    expect(renamed.status).toBe(200);
    expect((await admin.get('/api/v1/api-keys?limit=100')).body.items).toHaveLength(keysBefore);
    expect((await admin.get('/api/v1/users?q=backdoor')).body.items).toEqual([]);
    // A person signed in to the admin still creates keys.
    expect((await admin.post('/api/v1/api-keys', { name: 'by a person', scopes: ['kb:read'] })).status).toBe(
      201,
    );
  });

  it('refuses tokens for another resource and consent without an admin sign-in', async () => {
    const { body: client } = await registerClient(t.baseUrl);
    const { challenge } = pkcePair();
    const res = await fetch(
      `${t.baseUrl}/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        scope: 'kb:read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        resource: 'https://elsewhere.example/api',
      })}`,
      { redirect: 'manual' },
    );
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
    const anon = await fetch(`${t.baseUrl}/oauth/interaction/abc/details`);
    expect(anon.status).toBe(401);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 2025-11-25 session opened by hand, with its standalone GET stream held open. */
async function openMcpStream(
  baseUrl: string,
  token: string,
): Promise<{ ended: Promise<string>; cancel(): Promise<void> }> {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
  };
  const init = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  expect(init.status).toBe(200);
  await init.text();
  const session = {
    'Mcp-Session-Id': init.headers.get('mcp-session-id')!,
    'MCP-Protocol-Version': '2025-11-25',
  };
  const initialized = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { ...headers, ...session },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  expect(initialized.status).toBe(202);
  const res = await fetch(`${baseUrl}/mcp`, {
    headers: { Authorization: headers.Authorization, Accept: 'text/event-stream', ...session },
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const ended = (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      /* a reset connection ends it too */
    }
    return 'ended';
  })();
  return { ended, cancel: () => reader.cancel().catch(() => undefined) };
}
