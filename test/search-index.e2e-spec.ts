import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchIndexer } from '@app/knowledge';
import { startTestApp, type TestApp } from './support/test-app';
import { api, login, type ApiClient, type Schemas } from './support/http';
import { mcpClient, waitFor } from './support/mcp-client';
import { TEST_DATABASE_URL, testDatabaseEnv } from './support/test-db';

/** The in-process search index: read-your-writes, other instances, restarts. */
describe('search index freshness (real app, real database)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await login(t.baseUrl);
    admin = api(t.baseUrl, token);
  });
  afterAll(() => t?.close());

  const slugsFor = async (client: ApiClient, q: string) =>
    ((await client.get(`/api/v1/documents?q=${encodeURIComponent(q)}`)).body.items as { slug: string }[]).map(
      (h) => h.slug,
    );

  it('finds a write through REST as soon as the write returns, and loses an update or delete at once', async () => {
    for (let i = 0; i < 5; i++) {
      const created = await admin.post('/api/v1/documents', {
        slug: `axolotl-${i}`,
        title: `Amphibian ${i}`,
        body: `The axolotl number ${i} regrows limbs.`,
        status: 'published',
      });
      expect(created.status).toBe(201);
      expect(await slugsFor(admin, 'axolotl')).toContain(`axolotl-${i}`);
    }
    const patched = await admin.patch('/api/v1/documents/axolotl-0', { body: 'Now about capybaras.' });
    expect(patched.status).toBe(200);
    expect(await slugsFor(admin, 'axolotl')).not.toContain('axolotl-0');
    expect(await slugsFor(admin, 'capybara')).toEqual(['axolotl-0']);
    expect((await admin.delete('/api/v1/documents/axolotl-0')).status).toBe(204);
    expect(await slugsFor(admin, 'capybara')).toEqual([]);
    // Status changes move a document in or out of what agents see at once.
    await admin.patch('/api/v1/documents/axolotl-1', { status: 'draft' });
    expect(await slugsFor(admin, 'axolotl')).toContain('axolotl-1');
    const published = await t.app.get(SearchIndexer).current();
    expect(published.versionOf((await admin.get('/api/v1/documents/axolotl-1')).body.id)).toBe(2);
  });

  it('finds a write through MCP in the next MCP call', async () => {
    const mcp = await mcpClient(t.baseUrl, token);
    try {
      const call = async (name: string, args: Record<string, unknown>) =>
        (await mcp.client.callTool({ name, arguments: args })) as {
          structuredContent: any;
          isError?: boolean;
        };
      const created = await call('create_document', {
        slug: 'okapi-facts',
        title: 'Okapi facts',
        body: 'The okapi is a relative of the giraffe.',
        status: 'published',
      });
      expect(created.isError).toBeFalsy();
      const found = await call('search_knowledge', { query: 'okapi' });
      expect(found.structuredContent.results.map((r: { title: string }) => r.title)).toEqual(['Okapi facts']);
      expect(found.structuredContent.results[0].snippet).toContain('<mark>okapi</mark>');
      await call('update_document', {
        id: created.structuredContent.id,
        expectedVersion: 1,
        status: 'archived',
      });
      expect((await call('search_knowledge', { query: 'okapi' })).structuredContent.results).toEqual([]);
    } finally {
      await mcp.close();
    }
  });

  it('finds imported documents as soon as the import job completes (a bulk body over the 2 MB JSON limit of other routes)', async () => {
    const filler =
      'Tusks grow in a left-handed helix, as every field guide to the Arctic will tell you. '.repeat(24);
    const documents = Array.from({ length: 1200 }, (_, i) => ({
      slug: `narwhal-${i}`,
      title: `Narwhal ${i}`,
      body: `Narwhal tusk fact ${i}.\n\n${filler}`,
      status: 'published' as const,
    }));
    expect(JSON.stringify({ documents }).length).toBeGreaterThan(2 * 1024 * 1024);
    const res = await admin.post('/api/v1/imports', { documents });
    expect(res.status).toBe(202);
    await waitFor(
      async () => (await admin.get(`/api/v1/jobs/${res.body.id}`)).body.state === 'completed',
      'the import',
      120_000,
    );
    const job = (await admin.get(`/api/v1/jobs/${res.body.id}`)).body;
    expect(job.result).toMatchObject({ created: 1200, failed: 0 });
    let found = 0;
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: Schemas['SearchPage'] = (
        await admin.get(`/api/v1/documents?q=narwhal&limit=100${cursor ? `&cursor=${cursor}` : ''}`)
      ).body as Schemas['SearchPage'];
      found += page.items.length;
      cursor = page.nextCursor;
    }
    expect(found).toBe(1200);
    // Each imported document is versioned like any other write.
    const versions = await admin.get('/api/v1/documents/narwhal-1199/versions');
    expect(versions.body.items.map((v) => v.version)).toEqual([1]);
    // The larger limit is the import route's alone, and it is still a limit: 413, or the
    // connection closed while the client was still sending the body.
    const refusal = (path: string, body: unknown) =>
      admin.raw
        .post(path, body)
        .then((r) => r.status as number | string)
        .catch((e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message);
    const refused = [413, 'ECONNRESET', 'EPIPE'];
    expect(refused).toContain(
      await refusal('/api/v1/tickets', { title: 'x', description: 'y'.repeat(3 * 2 ** 20) }),
    );
    expect(refused).toContain(
      await refusal('/api/v1/imports', {
        documents: [{ slug: 'too-big', title: 'x', body: 'y'.repeat(33 * 2 ** 20) }],
      }),
    );
    expect((await admin.get('/api/v1/documents/too-big')).status).toBe(404);
  });
});

describe('search index across restarts', () => {
  it('rebuilds from the database, or loads its snapshot, and catches up from the outbox', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cd-search-'));
    // PGlite keeps its files in DATA_DIR; with Postgres, DATA_DIR holds only the snapshot.
    const database = TEST_DATABASE_URL
      ? await testDatabaseEnv()
      : { env: { DATA_DIR: dataDir }, drop: async () => undefined };
    const env = { DATA_DIR: dataDir };
    try {
      let t = await startTestApp({ database, env });
      let admin = api(t.baseUrl, await login(t.baseUrl));
      for (let i = 0; i < 3; i++)
        await admin.post('/api/v1/documents', {
          slug: `ibis-${i}`,
          title: `Ibis ${i}`,
          body: 'Sacred ibis.',
        });
      await t.close();

      // No snapshot (too small a corpus): a restart rebuilds from the database.
      t = await startTestApp({ database, env });
      admin = api(t.baseUrl, await login(t.baseUrl));
      let indexer = t.app.get(SearchIndexer);
      expect((await admin.get('/api/v1/documents?q=ibis')).body.items).toHaveLength(3);
      expect(indexer.status()).toMatchObject({ state: 'ready', loadedFrom: 'rebuild', documents: 3 });
      indexer.snapshotMinDocuments = 1;
      await indexer.writeSnapshot();
      // A write after the snapshot: the next start must replay it from the outbox.
      await admin.post('/api/v1/documents', { slug: 'ibis-late', title: 'Late ibis', body: 'Glossy ibis.' });
      await admin.delete('/api/v1/documents/ibis-0');
      await t.close();

      t = await startTestApp({ database, env });
      admin = api(t.baseUrl, await login(t.baseUrl));
      indexer = t.app.get(SearchIndexer);
      const slugs = ((await admin.get('/api/v1/documents?q=ibis')).body.items as { slug: string }[])
        .map((h) => h.slug)
        .sort();
      expect(slugs).toEqual(['ibis-1', 'ibis-2', 'ibis-late']);
      expect(indexer.status()).toMatchObject({ loadedFrom: 'snapshot', documents: 3 });
      await t.close();
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});

(TEST_DATABASE_URL ? describe : describe.skip)('two instances sharing Postgres', () => {
  it('each finds the other instance’s writes within a second', async () => {
    const database = await testDatabaseEnv();
    const a = await startTestApp({ database });
    const b = await startTestApp({ database });
    try {
      const onA = api(a.baseUrl, await login(a.baseUrl));
      const onB = api(b.baseUrl, await login(b.baseUrl));
      await onB.get('/api/v1/documents?q=warmup');
      const created = await onA.post('/api/v1/documents', {
        slug: 'quetzal',
        title: 'Quetzal',
        body: 'A bird.',
      });
      // Bounded by the event bus's outbox poll (250 ms without Redis) and the index's own read.
      await waitFor(
        async () => (await onB.get('/api/v1/documents?q=quetzal')).body.items.length === 1,
        'the write on B',
        1000,
      );
      await onB.delete(`/api/v1/documents/${created.body.id}`);
      await waitFor(
        async () => (await onA.get('/api/v1/documents?q=quetzal')).body.items.length === 0,
        'the delete on A',
        1000,
      );
    } finally {
      await b.close();
      await a.close();
      await database.drop();
    }
  });
});
