import { api } from './support/http';
import { postMcp } from './support/mcp-client';
import { startTestApp, type TestApp } from './support/test-app';

// Issue 9 item 6: behind a trusted proxy (TRUST_PROXY=loopback: the test client is the proxy),
// X-Forwarded-For names the client, so per-IP limits count each forwarded client apart.
// security-auth.e2e-spec.ts shows the other half: without TRUST_PROXY a forged header changes nothing.
describe('TRUST_PROXY=loopback: X-Forwarded-For counts for per-IP limits (issue 9, item 6)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: 'loopback', LOGIN_RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '5' },
    });
  }, 300_000);
  afterAll(() => t?.close());

  const attempt = (n: number, forwardedFor: string) =>
    api(t.baseUrl).post(
      '/api/v1/auth/login',
      { email: `nobody-${n}-${forwardedFor}@example.test`, password: 'not-the-password-at-all' },
      { 'X-Forwarded-For': forwardedFor },
    );

  it('limits sign-ins per forwarded client address', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(i, '203.0.113.7')).status).toBe(401);
    const limited = await attempt(3, '203.0.113.7');
    expect(limited.status).toBe(429);
    expect(limited.problem.detail).toContain('from this address');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client behind the same proxy has its own count.
    expect((await attempt(4, '203.0.113.8')).status).toBe(401);
  });

  it('limits refused /mcp requests per forwarded client address', async () => {
    const anonymous = (forwardedFor: string) =>
      postMcp(
        t.baseUrl,
        'not-a-valid-token',
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        {
          'X-Forwarded-For': forwardedFor,
        },
      );
    for (let i = 0; i < 5; i++) {
      const res = await anonymous('198.51.100.20');
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    const limited = await anonymous('198.51.100.20');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as any).error.message).toContain('from this address');
    const other = await anonymous('198.51.100.21');
    expect(other.status).toBe(401);
    await other.body?.cancel();
  });
});
