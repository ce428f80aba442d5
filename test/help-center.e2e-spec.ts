import { startTestApp, type TestApp } from './support/test-app';
import { api, login, type ApiClient, type Schemas } from './support/http';

describe('public help center (/help)', () => {
  let t: TestApp;
  let admin: ApiClient;
  const get = async (path: string) => {
    const res = await fetch(`${t.baseUrl}${path}`);
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      csp: res.headers.get('content-security-policy') ?? '',
      html: await res.text(),
    };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
    const docs: Schemas['CreateDocumentDto'][] = [
      {
        slug: 'reset-password',
        title: 'Reset your password',
        collection: 'Account',
        tags: ['account'],
        status: 'published',
        body: [
          '# Reset your password',
          'Open **Settings** and choose [Security](https://example.com/security).',
          '<script>alert(1)</script><img src=x onerror="alert(2)">',
          '[click](javascript:alert(3))',
          '<iframe src="https://evil.example"></iframe>',
          '| a | b |\n|---|---|\n| 1 | 2 |',
        ].join('\n\n'),
      },
      {
        slug: 'vpn-setup',
        title: 'Set up the VPN',
        collection: 'Network',
        status: 'published',
        body: 'Install the VPN client, then reset the password prompt.',
      },
      {
        slug: 'draft-note',
        title: 'Draft password note',
        status: 'draft',
        body: 'A draft about the password.',
      },
      {
        slug: 'old-note',
        title: 'Archived password note',
        status: 'archived',
        body: 'An archived password note.',
      },
    ];
    for (const d of docs) expect((await admin.post('/api/v1/documents', d)).status).toBe(201);
  });
  afterAll(() => t?.close());

  it('lists published articles only, without sign-in', async () => {
    const res = await get('/help/');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.html).toContain('<a href="/help/reset-password">Reset your password</a>');
    expect(res.html).toContain('<a href="/help/vpn-setup">Set up the VPN</a>');
    expect(res.html).toContain('<h2>Account</h2>');
    expect(res.html).not.toContain('draft-note');
    expect(res.html).not.toContain('old-note');
    expect(res.html).not.toMatch(/<script/i);
  });

  it('renders an article as sanitized HTML, readable with no script', async () => {
    const res = await get('/help/reset-password');
    expect(res.status).toBe(200);
    expect(res.csp).toContain("default-src 'none'");
    expect(res.html).toContain('<strong>Settings</strong>');
    expect(res.html).toContain('href="https://example.com/security"');
    expect(res.html).toContain('<table>');
    expect(res.html).not.toMatch(/<script/i);
    expect(res.html).not.toMatch(/onerror|javascript:|<iframe/i);
  });

  it('answers 404 for drafts, archived and unknown articles', async () => {
    for (const slug of ['draft-note', 'old-note', 'no-such-article', '..%2Fadmin', 'UPPER']) {
      const res = await get(`/help/${slug}`);
      expect(res.status).toBe(404);
      expect(res.html).toContain('Article not found');
    }
  });

  it('searches published articles and links to their pages', async () => {
    const res = await get('/help/search?q=password');
    expect(res.status).toBe(200);
    expect(res.html).toContain('href="/help/reset-password"');
    expect(res.html).toContain('<mark>');
    expect(res.html).not.toContain('draft-note');
    expect(res.html).not.toContain('old-note');
    const hostile = await get(`/help/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.status).toBe(200);
    expect(hostile.html).not.toContain('<script>alert');
    expect(hostile.html).toContain('&lt;script&gt;');
    const empty = await get('/help/search?q=');
    expect(empty.status).toBe(200);
    const badCursor = await get('/help/search?q=vpn&cursor=garbage');
    expect(badCursor.status).toBe(400);
  });

  it('gives REST search hits of published articles their public url', async () => {
    const res = await admin.get('/api/v1/documents?q=password&limit=10');
    expect(res.status).toBe(200);
    // With q the list answers a SearchPage (a oneOf with DocumentPage in the document).
    const hits = (res.body as Schemas['SearchPage']).items;
    const bySlug = Object.fromEntries(hits.map((h) => [h.slug, h.url]));
    expect(bySlug['reset-password']).toBe(`${t.baseUrl}/help/reset-password`);
    expect(bySlug['draft-note']).toBeNull();
    expect((await fetch(String(bySlug['reset-password']))).status).toBe(200);
  });

  it('follows publishing: an article unpublished is gone from the help center at once', async () => {
    const doc = await admin.get('/api/v1/documents/vpn-setup');
    const res = await admin.patch(`/api/v1/documents/${doc.body.id}`, {
      status: 'archived',
      expectedVersion: doc.body.version,
    });
    expect(res.status).toBe(200);
    expect((await get('/help/vpn-setup')).status).toBe(404);
    expect((await get('/help/')).html).not.toContain('vpn-setup');
  });
});
