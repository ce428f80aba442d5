import { DatabaseService } from '@app/database';
import { SearchIndexer } from '@app/knowledge';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, userClient, type ApiClient, type Schemas } from './support/http';

describe('documents over REST (real app, real database)', () => {
  let t: TestApp;
  let db: DatabaseService;
  let admin: ApiClient;
  let agent: ApiClient & { userId: string };
  let viewer: ApiClient;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DatabaseService);
    admin = api(t.baseUrl, await login(t.baseUrl));
    agent = await userClient(t.baseUrl, admin, 'agent');
    viewer = await userClient(t.baseUrl, admin, 'viewer');
  });
  afterAll(() => t?.close());

  const events = (entityId: string) =>
    db.prisma.event.findMany({ where: { entityId, topic: 'documents' }, orderBy: { id: 'asc' } });
  /** The list without q: a DocumentPage (with q it answers a SearchPage; a oneOf in the document). */
  const listDocs = async (query: string) => {
    const res = await viewer.get(`/api/v1/documents?${query}`);
    expect(res.status).toBe(200);
    return res.body as Schemas['DocumentPage'];
  };
  let seq = 0;
  const newDoc = async (extra: Partial<Schemas['CreateDocumentDto']> = {}) => {
    const res = await agent.post('/api/v1/documents', {
      slug: `doc-${++seq}`,
      title: `Document ${seq}`,
      body: '# Intro\n\nSome text.',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('creates, reads by id and by slug, and records version 1, one event and one audit row', async () => {
    const res = await agent.post('/api/v1/documents', {
      slug: 'reset-password',
      title: 'How to reset your password',
      body: '# Reset\n\nOpen Settings and choose Reset password.',
      tags: ['Account', 'login', 'account'],
      collection: 'help-center',
    });
    expect(res.status).toBe(201);
    const doc = res.body;
    expect(doc).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slug: 'reset-password',
      tags: ['account', 'login'],
      collection: 'help-center',
      status: 'draft',
      version: 1,
      authorId: agent.userId,
    });
    expect((await viewer.get(`/api/v1/documents/${doc.id}`)).body).toEqual(doc);
    expect((await viewer.get('/api/v1/documents/reset-password')).body).toEqual(doc);

    const history = await viewer.get(`/api/v1/documents/${doc.id}/versions`);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ version: 1, title: 'How to reset your password' });

    const evts = await events(doc.id);
    expect(evts.map((e) => e.event)).toEqual(['document.created']);
    expect(evts[0].payload).toMatchObject({ id: doc.id, version: 1, slug: 'reset-password' });
    const audit = await db.prisma.auditLog.findMany({ where: { targetType: 'document', targetId: doc.id } });
    expect(audit).toMatchObject([{ action: 'document.create', outcome: 'success', actorId: agent.userId }]);
  });

  it('rejects invalid input with problem+json naming each field', async () => {
    const res = await agent.raw.post('/api/v1/documents', {
      slug: 'Bad Slug!',
      title: '',
      body: 5,
      tags: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const fields = res.problem.errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['slug', 'title', 'body', 'tags']));
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(/);

    const big = await agent.post('/api/v1/documents', {
      slug: 'too-big',
      title: 'Big',
      body: 'x'.repeat(210 * 1024),
    });
    expect(big.status).toBe(400);
    expect(big.problem.errors).toEqual([expect.objectContaining({ field: 'body' })]);

    const unknown = await agent.raw.post('/api/v1/documents', {
      slug: 'ok',
      title: 'Ok',
      body: '',
      extra: 1,
    });
    expect(unknown.status).toBe(400);
  });

  it('answers 409 naming the slug when it is taken', async () => {
    await newDoc({ slug: 'taken-slug' });
    const res = await agent.post('/api/v1/documents', { slug: 'taken-slug', title: 'Again', body: '' });
    expect(res.status).toBe(409);
    expect(res.problem.detail).toContain('taken-slug');
  });

  it('enforces scopes: a viewer reads but cannot write; no token is 401', async () => {
    const doc = await newDoc();
    expect((await viewer.post('/api/v1/documents', { slug: 'v', title: 'V', body: '' })).status).toBe(403);
    expect((await viewer.patch(`/api/v1/documents/${doc.id}`, { title: 'No' })).status).toBe(403);
    expect((await viewer.delete(`/api/v1/documents/${doc.id}`)).status).toBe(403);
    expect((await api(t.baseUrl).get('/api/v1/documents')).status).toBe(401);
    // Refused means nothing was written: the document is as created, with one event, and no `v`.
    expect((await agent.get(`/api/v1/documents/${doc.id}`)).body).toEqual(doc);
    expect(await events(doc.id)).toHaveLength(1);
    expect((await agent.get('/api/v1/documents/v')).status).toBe(404);
  });

  it('updates with If-Match or expectedVersion, keeps every version, and 409s on a stale one', async () => {
    const doc = await newDoc();
    const v2 = await agent.patch(
      `/api/v1/documents/${doc.id}`,
      { title: 'Second title' },
      { 'If-Match': '1' },
    );
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, title: 'Second title' });

    const v3 = await agent.patch(`/api/v1/documents/${doc.slug}`, { body: 'Third body', expectedVersion: 2 });
    expect(v3.body).toMatchObject({ version: 3, body: 'Third body' });

    const stale = await agent.patch(`/api/v1/documents/${doc.id}`, { title: 'Lost?' }, { 'If-Match': '2' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ status: 409, currentVersion: 3 });

    const lastWriter = await agent.patch(`/api/v1/documents/${doc.id}`, { status: 'published' });
    expect(lastWriter.body).toMatchObject({ version: 4, status: 'published', title: 'Second title' });

    const history = await viewer.get(`/api/v1/documents/${doc.id}/versions?limit=2`);
    expect(history.body.items.map((v: { version: number }) => v.version)).toEqual([4, 3]);
    const older = await viewer.get(
      `/api/v1/documents/${doc.id}/versions?limit=2&cursor=${history.body.nextCursor}`,
    );
    expect(older.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(older.body.nextCursor).toBeNull();
    const v1 = await viewer.get(`/api/v1/documents/${doc.id}/versions/1`);
    expect(v1.body).toMatchObject({ version: 1, title: doc.title });
    expect((await viewer.get(`/api/v1/documents/${doc.id}/versions/9`)).status).toBe(404);
    expect((await viewer.get(`/api/v1/documents/${doc.id}/versions/x`)).status).toBe(400);

    expect((await events(doc.id)).map((e) => e.event)).toEqual([
      'document.created',
      'document.updated',
      'document.updated',
      'document.updated',
    ]);
  });

  it('a no-op update keeps the version and writes no version row, event or audit entry', async () => {
    const doc = await newDoc();
    const audits = () => db.prisma.auditLog.count({ where: { targetId: doc.id } });
    const auditsBefore = await audits();
    const same = await agent.patch(
      `/api/v1/documents/${doc.id}`,
      { title: `  ${doc.title} `, tags: doc.tags.map((t: string) => t.toUpperCase()), status: doc.status },
      { 'If-Match': '1' },
    );
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, title: doc.title, updatedAt: doc.updatedAt });
    expect((await viewer.get(`/api/v1/documents/${doc.id}/versions`)).body.items).toHaveLength(1);
    expect(await events(doc.id)).toHaveLength(1);
    expect(await audits()).toBe(auditsBefore);
    // A stale version is still a conflict, even when nothing would change.
    const stale = await agent.patch(`/api/v1/documents/${doc.id}`, { title: doc.title }, { 'If-Match': '7' });
    expect(stale.status).toBe(409);
  });

  it('of two concurrent writers with the same If-Match, exactly one wins and its change is kept', async () => {
    const doc = await newDoc();
    const [a, b] = await Promise.all([
      agent.patch(`/api/v1/documents/${doc.id}`, { title: 'Writer A' }, { 'If-Match': '1' }),
      admin.patch(`/api/v1/documents/${doc.id}`, { title: 'Writer B' }, { 'If-Match': '1' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.problem.currentVersion).toBe(2);
    const now = await viewer.get(`/api/v1/documents/${doc.id}`);
    expect(now.body).toMatchObject({ version: 2, title: winner.body.title });
    expect(await events(doc.id)).toHaveLength(2);
  });

  it('deletes (with a version check), emits document.deleted and forgets the document', async () => {
    const doc = await newDoc({ body: 'Unique zebracorn content.' });
    expect((await agent.delete(`/api/v1/documents/${doc.id}`, { 'If-Match': '7' })).status).toBe(409);
    expect((await agent.delete(`/api/v1/documents/${doc.id}`, { 'If-Match': '1' })).status).toBe(204);
    expect((await viewer.get(`/api/v1/documents/${doc.id}`)).status).toBe(404);
    expect((await agent.delete(`/api/v1/documents/${doc.id}`)).status).toBe(404);
    expect((await events(doc.id)).map((e) => e.event)).toEqual(['document.created', 'document.deleted']);
    const search = await viewer.get('/api/v1/documents?q=zebracorn');
    expect(search.body.items).toEqual([]);
    const index = await t.app.get(SearchIndexer).current();
    expect(index.versionOf(doc.id)).toBe(0);
  });

  it('lists newest change first with filters and cursor pages without overlap or gap', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        (await newDoc({ collection: 'paging', tags: i % 2 ? ['odd'] : ['even'], status: 'published' })).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Schemas['DocumentPage'] = await listDocs(
        `collection=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const odd = await listDocs('collection=paging&tag=ODD');
    expect(odd.items.map((d) => d.id).sort()).toEqual([made[1], made[3]].sort());
    const drafts = await viewer.get('/api/v1/documents?collection=paging&status=draft');
    expect(drafts.body.items).toEqual([]);
    expect((await viewer.get('/api/v1/documents?status=bogus')).status).toBe(400);
    expect((await viewer.get('/api/v1/documents?cursor=nonsense')).status).toBe(400);
  });
});
