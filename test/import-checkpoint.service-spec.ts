import { ImportHandler } from '@app/knowledge';
import { JobHandlerRegistry, JobStore, type ImportDocument, type ImportResult } from '@app/jobs';
import { openServices, type Services } from './support/factories';

// An import that dies right after a batch committed (kill -9 between the commit and anything
// that follows it) resumes from a checkpoint that already counts that batch: the checkpoint is
// written in the batch's own transaction. Real database, the real job row; the process "dies" by
// the job context throwing at the first checkpoint saved outside a write's transaction.
describe('import checkpoints commit with the work they count (real database)', () => {
  let s: Services;
  let store: JobStore;
  let handler: ImportHandler;
  beforeAll(async () => {
    s = await openServices();
    store = new JobStore(s.db);
    handler = new ImportHandler(s.documents, s.db, new JobHandlerRegistry());
  });
  afterAll(() => s?.close());

  it('a crash right after a batch commits: the resumed import counts that batch as created', async () => {
    const total = 600; // two batches: 500, then 100
    const documents: ImportDocument[] = Array.from({ length: total }, (_, i) => ({
      slug: `checkpointed-${i}`,
      title: `Checkpointed ${i}`,
      body: `Body ${i}`,
    }));
    const payload = { documents, rejected: [], actorUserId: null };
    const { id } = await store.create({ queue: 'imports', payload, maxAttempts: 3 });
    const run = async (checkpoint: unknown, crashOutsideTx: boolean): Promise<ImportResult> => {
      const job = await store.claim(id, 'checkpoint-test');
      expect(job).not.toBeNull();
      return handler.handle({
        id,
        queue: 'imports',
        payload,
        attempt: job!.attempts,
        maxAttempts: 3,
        progress: async () => undefined,
        checkpoint,
        saveCheckpoint: async (data, tx) => {
          if (!tx && crashOutsideTx) throw new Error('killed');
          await store.checkpoint(id, data, tx);
        },
      });
    };

    await expect(run(null, true)).rejects.toThrow('killed');
    const created = await s.db.prisma.document.count({ where: { slug: { startsWith: 'checkpointed-' } } });
    expect(created).toBe(500);
    // What a restarted runner finds in the row: the checkpoint that committed with the batch.
    const [row] = await s.db.driver.query<{ checkpoint: unknown }>(
      `SELECT checkpoint FROM job WHERE id = $1::uuid`,
      [id],
    );
    const saved = (typeof row.checkpoint === 'string' ? JSON.parse(row.checkpoint) : row.checkpoint) as {
      result: ImportResult;
    };
    expect(saved.result.created).toBe(500);
    await store.fail(id, 'interrupted', 0);

    const result = await run(saved, false);
    expect(result).toMatchObject({ created: total, updated: 0, unchanged: 0, failed: 0 });
    expect(await s.db.prisma.document.count({ where: { slug: { startsWith: 'checkpointed-' } } })).toBe(
      total,
    );
  });

  it('one-by-one writes (a batch with an invalid document) save their checkpoint with each write', async () => {
    const documents: ImportDocument[] = [
      { slug: 'one-by-one-a', title: 'A', body: 'a' },
      { slug: 'one-by-one-b', title: '', body: 'b' }, // invalid: the batch falls back to one by one
      { slug: 'one-by-one-c', title: 'C', body: 'c' },
    ];
    const payload = { documents, rejected: [], actorUserId: null };
    const { id } = await store.create({ queue: 'imports', payload, maxAttempts: 3 });
    const job = await store.claim(id, 'checkpoint-test');
    const saves: { handled?: number[]; result: ImportResult; inTx: boolean }[] = [];
    const result = await handler.handle({
      id,
      queue: 'imports',
      payload,
      attempt: job!.attempts,
      maxAttempts: 3,
      progress: async () => undefined,
      checkpoint: null,
      saveCheckpoint: async (data, tx) => {
        saves.push({ ...(data as { handled?: number[]; result: ImportResult }), inTx: !!tx });
        await store.checkpoint(id, data, tx);
      },
    });
    expect(result).toMatchObject({ created: 2, failed: 1 });
    // Each create saved, in its transaction, a checkpoint that already counts it (and the
    // failure before it, which wrote nothing).
    expect(saves.filter((c) => c.inTx).map((c) => [c.handled, c.result.created, c.result.failed])).toEqual([
      [[0], 1, 0],
      [[0, 1, 2], 2, 1],
    ]);
  });
});
