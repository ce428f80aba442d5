import { DatabaseService } from '@app/database';
import { SearchIndexer, SearchService } from '@app/knowledge';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, type ApiClient, type Schemas } from './support/http';

type Hit = Schemas['SearchHitResponse'];

const filler = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `Paragraph ${i} talks about settings, profiles and notifications in general.`,
  ).join('\n\n');

describe('knowledge search (BM25 over chunks, real app, real database)', () => {
  let t: TestApp;
  let db: DatabaseService;
  let admin: ApiClient;

  const create = async (doc: Schemas['CreateDocumentDto']) => {
    const res = await admin.post('/api/v1/documents', { status: 'published', ...doc });
    expect(res.status).toBe(201);
    return res.body;
  };
  const search = async (qs: string) => {
    const res = await admin.get(`/api/v1/documents?${qs}`);
    expect(res.status).toBe(200);
    // The list answers a DocumentPage or, with q, a SearchPage (a oneOf in the document).
    return res.body as Schemas['SearchPage'];
  };
  const slugs = (hits: Hit[]) => hits.map((h) => h.slug);

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DatabaseService);
    admin = api(t.baseUrl, await login(t.baseUrl));
    await create({
      slug: 'invoices-guide',
      title: 'Invoices and billing',
      body:
        '# Downloading invoices\n\nEvery invoice is available under Billing. Download an invoice as PDF; ' +
        'each invoice lists the credit card used.\n\n## Invoice email\n\nInvoices are emailed monthly.',
      tags: ['billing'],
      collection: 'help-center',
    });
    await create({
      slug: 'profile-settings',
      title: 'Profile settings',
      body: `${filler(6)}\n\nIf you need an invoice, see the billing guide.`,
      tags: ['account'],
      collection: 'help-center',
    });
    await create({
      slug: 'sso-login',
      title: 'Single sign-on',
      body: 'Configure the identity provider. Users log in with the company account; password reset happens at the provider.',
      tags: ['account', 'security'],
      collection: 'admin-guide',
    });
    await create({
      slug: 'password-reset',
      title: 'Reset your password',
      body: 'Open the login page, choose Forgot password and follow the email link. The link expires after one hour.',
      tags: ['account'],
      collection: 'help-center',
    });
    await create({
      slug: 'credit-notes',
      title: 'Refunds',
      body: 'A refund is issued as a credit note. Refunds go back to the card you paid with.',
      tags: ['billing'],
      collection: 'help-center',
      status: 'draft',
    });
  });
  afterAll(() => t?.close());

  it('ranks an article about the topic above one that mentions the word once, with a highlighted passage', async () => {
    const { items } = await search('q=invoice');
    expect(slugs(items)).toEqual(['invoices-guide', 'profile-settings']);
    expect(items[0].score).toBeGreaterThan(items[1].score);
    expect(items[0]).toMatchObject({ uri: 'kb://documents/invoices-guide', documentId: expect.any(String) });
    expect(items[0].snippet).toMatch(/<mark>invoices?<\/mark>/i);
    expect(items[1].snippet).toContain('<mark>invoice</mark>');
  });

  it('answers whole questions with OR semantics (stopwords and missing words do not empty the result)', async () => {
    const { items } = await search(`q=${encodeURIComponent('How do I reset my forgotten password?')}`);
    expect(items[0].slug).toBe('password-reset');
    expect(slugs(items)).toContain('sso-login');
  });

  it('weighs title matches above body matches', async () => {
    await create({
      slug: 'webhooks-title',
      title: 'Webhooks',
      body: 'Register an endpoint to receive events.',
    });
    await create({
      slug: 'webhooks-body',
      title: 'Integrations overview',
      body: 'Integrations: the API, exports and webhooks for events.',
    });
    const { items } = await search('q=webhooks');
    expect(slugs(items)).toEqual(['webhooks-title', 'webhooks-body']);
  });

  it('honours "quoted phrases" and -exclusions', async () => {
    const phrase = await search(`q=${encodeURIComponent('"password reset"')}`);
    expect(slugs(phrase.items)).toEqual(['sso-login']);
    const excluded = await search(`q=${encodeURIComponent('password -provider')}`);
    expect(slugs(excluded.items)).toEqual(['password-reset']);
    const either = await search(`q=${encodeURIComponent('refund or webhooks')}`);
    expect(slugs(either.items).sort()).toEqual(['credit-notes', 'webhooks-body', 'webhooks-title']);
  });

  it('filters by tag, collection and status', async () => {
    expect(slugs((await search('q=password&tag=security')).items)).toEqual(['sso-login']);
    expect(slugs((await search('q=password&collection=help-center')).items)).toEqual(['password-reset']);
    expect(slugs((await search('q=card&status=published')).items)).toEqual(['invoices-guide']);
    expect(slugs((await search('q=card')).items).sort()).toEqual(['credit-notes', 'invoices-guide']);
    const agents = await t.app.get(SearchService).search({ query: 'refund', status: 'published' });
    expect(agents.items).toEqual([]);
  });

  it('reflects updates and deletes at once (index kept in the same transaction)', async () => {
    const doc = await create({ slug: 'temp-doc', title: 'Temporary', body: 'About quokkas.' });
    expect(slugs((await search('q=quokka')).items)).toEqual(['temp-doc']);
    await admin.patch(`/api/v1/documents/${doc.id}`, { body: 'About wombats.' }, { 'If-Match': '1' });
    expect((await search('q=quokka')).items).toEqual([]);
    expect(slugs((await search('q=wombat')).items)).toEqual(['temp-doc']);
    await admin.delete(`/api/v1/documents/${doc.id}`);
    expect((await search('q=wombat')).items).toEqual([]);

    // The index holds exactly the documents of the database.
    const index = await t.app.get(SearchIndexer).current();
    const [{ n }] = await db.driver.query<{ n: number }>(`SELECT count(*)::int AS n FROM document`);
    expect(index.documentCount).toBe(n);
    expect(index.versionOf(doc.id)).toBe(0);
  });

  it('pages through the ranked list with a cursor, without overlap or gap', async () => {
    for (let i = 0; i < 7; i++) {
      await create({
        slug: `kangaroo-${i}`,
        title: `Note ${i}`,
        body: `${Array.from({ length: i + 1 }, () => 'kangaroo').join(' ')} ${filler(1)}`,
      });
    }
    const all = (await search('q=kangaroo&limit=50')).items;
    expect(all).toHaveLength(7);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Hit[]; nextCursor: string | null } = await search(
        `q=kangaroo&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      paged.push(...slugs(page.items));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(slugs(all));
    expect(all[0].slug).toBe('kangaroo-6');
  });

  it("escapes the document's own markup in snippets, keeping only the <mark> highlights", async () => {
    await create({
      slug: 'xss-note',
      title: 'Markup',
      body: 'The <script>alert(1)</script> tag & the ocelot; 1 < 2 <img src=x onerror=alert(1)>',
    });
    const { items } = await search('q=ocelot');
    expect(items[0].snippet).toContain('<mark>ocelot</mark>');
    expect(items[0].snippet).toContain('&amp;');
    expect(items[0].snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('matches the last word as a prefix while it is typed, and tolerates typos in longer words', async () => {
    await create({
      slug: 'two-factor',
      title: 'Two-factor authentication',
      body: 'Turn on authentication with an authenticator app for every administrator.',
    });
    // "auth" is no word of any document: only the prefix finds it, and not once it is complete.
    expect(slugs((await search('q=auth')).items)).toEqual(['two-factor']);
    expect((await search(`q=${encodeURIComponent('auth ')}`)).items).toEqual([]);
    const typed = await search('q=two-factor%20authen');
    expect(typed.items[0].slug).toBe('two-factor');
    expect(typed.items[0].snippet).toContain('<mark>authentication</mark>');
    // One letter wrong in a long word (which no document contains) still finds it, ranked lower
    // than an exact match would be.
    const typo = await search('q=authentcation');
    expect(slugs(typo.items)).toEqual(['two-factor']);
    const exact = await search('q=authentication');
    expect(exact.items[0].score).toBeGreaterThan(typo.items[0].score);
    // Short words are never "corrected".
    expect((await search(`q=${encodeURIComponent('cerd ')}`)).items).toEqual([]);
  });

  it('keeps phrase and exclusion semantics on passages and documents', async () => {
    await create({
      slug: 'phrase-split',
      title: 'Exports',
      body: '# Reset\n\nReset the export.\n\n# Password\n\nChange your password here.',
    });
    // Both words occur in the document, but not as the phrase in one passage.
    const phrase = await search(`q=${encodeURIComponent('"password reset"')}`);
    expect(slugs(phrase.items)).toEqual(['sso-login']);
    // A phrase excluded anywhere in a document drops the document.
    const excl = await search(`q=${encodeURIComponent('password -"identity provider"')}`);
    expect(slugs(excl.items)).not.toContain('sso-login');
    expect(slugs(excl.items)).toContain('password-reset');
    // A tag filter combined with a phrase.
    expect(slugs((await search(`q=${encodeURIComponent('"password reset"')}&tag=billing`)).items)).toEqual(
      [],
    );
  });

  it('counts searches per UTC day for the dashboard (flushed off the request path)', async () => {
    const service = t.app.get(SearchService);
    await service.flushSearchCounts();
    const today = async () => {
      const res = await admin.get('/api/v1/stats');
      expect(res.status).toBe(200);
      expect(res.body.searchesPerDay).toHaveLength(30);
      return res.body.searchesPerDay[29];
    };
    const before = await today();
    expect(before.day).toBe(new Date().toISOString().slice(0, 10));
    expect(before.count).toBeGreaterThan(0);
    await search('q=invoice');
    await service.search({ query: 'refund' });
    await service.flushSearchCounts();
    expect((await today()).count).toBe(before.count + 2);
  });

  it('rejects a bad cursor and an over-long query', async () => {
    expect((await admin.get('/api/v1/documents?q=x&cursor=abc')).status).toBe(400);
    const long = await admin.get(`/api/v1/documents?q=${'a'.repeat(1001)}`);
    expect(long.status).toBe(400);
    expect(long.problem.errors?.[0].field).toBe('q');
  });
});
