import { createHash, randomBytes } from 'node:crypto';

/** A tiny cookie jar for driving the OAuth endpoints over real HTTP without a browser. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? '/';
      const expired =
        attrs.some((a) => /^max-age=0$/i.test(a.trim())) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (expired || !value) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { value, path });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.entries()]
      .filter(
        ([, c]) =>
          path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/',
      )
      .map(([k, c]) => `${k.split(';')[0]}=${c.value}`)
      .join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), Cookie: this.header(url) },
    });
    this.store(res);
    return res;
  }
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function registerClient(
  baseUrl: string,
  body: Record<string, unknown> = {},
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${baseUrl}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test MCP client',
      redirect_uris: ['http://127.0.0.1:7777/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...body,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function tokenRequest(
  baseUrl: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export const TEST_REDIRECT = 'http://127.0.0.1:7777/callback';

/**
 * Drives /authorize as a browser would, with `jar` holding the OAuth server's session cookie.
 * Returns either the client's redirect (`code` = tokens obtained) or the consent interaction the
 * browser was sent to, which is then approved as `userToken` (an admin sign-in JWT) for `scopes`.
 */
export async function authorizeApp(
  baseUrl: string,
  jar: CookieJar,
  clientId: string,
  userToken: string,
  scopes: string[],
): Promise<{ consented: boolean; tokens: Record<string, any> }> {
  const { verifier, challenge } = pkcePair();
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: TEST_REDIRECT,
    scope: scopes.join(' '),
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${baseUrl}/mcp`,
  });
  let res = await jar.fetch(`${baseUrl}/authorize?${q}`);
  let location = new URL(res.headers.get('location')!, baseUrl);
  let consented = false;
  if (location.pathname.startsWith('/oauth/interaction/')) {
    consented = true;
    const uid = location.pathname.split('/').pop()!;
    await jar.fetch(location.href);
    res = await jar.fetch(`${baseUrl}/oauth/interaction/${uid}/allow`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${userToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ scopes }),
    });
    if (res.status !== 200) throw new Error(`consent refused: ${res.status} ${await res.text()}`);
    res = await jar.fetch(((await res.json()) as { redirectTo: string }).redirectTo);
    location = new URL(res.headers.get('location')!, baseUrl);
  }
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.href}`);
  const tok = await tokenRequest(baseUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: TEST_REDIRECT,
    client_id: clientId,
    code_verifier: verifier,
    resource: `${baseUrl}/mcp`,
  });
  if (tok.status !== 200) throw new Error(`token exchange failed: ${tok.status} ${JSON.stringify(tok.body)}`);
  return { consented, tokens: tok.body };
}
