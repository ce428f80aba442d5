import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchIndex, editDistance, type IndexQuery, type IndexedDocument } from './search-index';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file';
import { terms } from './tokenizer';

const doc = (
  id: string,
  title: string,
  body: string,
  extra: Partial<IndexedDocument> = {},
): IndexedDocument => ({
  id,
  version: 1,
  title,
  body,
  tags: [],
  collection: null,
  status: 'published',
  ...extra,
});
const query = (text: string, extra: Partial<IndexQuery> = {}): IndexQuery => ({
  terms: [...new Set(terms(text))].map((term) => ({ term, weight: 1 })),
  phrases: [],
  excludedTerms: [],
  excludedPhrases: [],
  k: 10,
  ...extra,
});
const ids = (ix: SearchIndex, q: IndexQuery) => ix.search(q).map((h) => h.documentId);

describe('SearchIndex', () => {
  const build = () => {
    const ix = new SearchIndex();
    ix.upsert(doc('a', 'Invoices', 'Download an invoice as PDF. Every invoice lists the card.'));
    ix.upsert(
      doc('b', 'Profile', 'Settings and profiles.\n\nIf you need an invoice, see billing.', { tags: ['x'] }),
    );
    ix.upsert(doc('c', 'Password reset', 'Reset the password from the login page.', { status: 'draft' }));
    return ix;
  };

  it('ranks by BM25 with the title weighted, best passage per document', () => {
    const ix = build();
    expect(ids(ix, query('invoice'))).toEqual(['a', 'b']);
    const [top] = ix.search(query('invoice'));
    expect(top.score).toBeGreaterThan(0);
    expect(ids(ix, query('invoice', { status: 'draft' }))).toEqual([]);
    expect(ids(ix, query('invoice', { tags: ['x'] }))).toEqual(['b']);
  });

  it('replaces, removes and never resurrects documents; versions only move forward', () => {
    const ix = build();
    expect(ix.upsert(doc('a', 'Invoices', 'old', { version: 1 }))).toBe(false);
    expect(ix.upsert(doc('a', 'Receipts', 'Nothing here.', { version: 2 }))).toBe(true);
    expect(ids(ix, query('invoice'))).toEqual(['b']);
    ix.remove('b');
    expect(ids(ix, query('invoice'))).toEqual([]);
    expect(ix.upsert(doc('b', 'Invoice', 'late write', { version: 9 }))).toBe(false);
    expect(ix.documentCount).toBe(2);
  });

  it('requires phrases in one passage and excludes documents by term or phrase', () => {
    const ix = build();
    expect(ids(ix, query('reset password', { phrases: [['password', 'reset']] }))).toEqual(['c']);
    expect(ids(ix, query('reset password', { phrases: [['login', 'reset']] }))).toEqual([]);
    expect(ids(ix, query('invoice', { excludedTerms: ['card'] }))).toEqual(['b']);
    expect(ids(ix, query('invoice', { excludedPhrases: [terms('see billing')] }))).toEqual(['a']);
  });

  it('survives a snapshot round trip and compaction with the same ranking', () => {
    const ix = build();
    for (let v = 2; v < 3000; v++)
      ix.upsert(doc('c', 'Password reset', `Reset the password, take ${v}.`, { version: v }));
    const before = ix.search(query('invoice password'));
    const copy = SearchIndex.fromSnapshot(structuredClone(ix.toSnapshot()))!;
    expect(copy.search(query('invoice password'))).toEqual(before);
    expect(copy.passageCount).toBe(ix.passageCount);
  });

  it('expands prefixes and finds close spellings', () => {
    const ix = build();
    expect(ix.expandPrefix('inv', 5)).toEqual(['invoic']);
    expect(ix.similarTerms('pasword', 1, 3)).toEqual(['password']);
    expect(editDistance('abcd', 'abdc', 1)).toBe(1);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
  });
});

describe('SearchIndex pruning (MaxScore) against exhaustive scoring', () => {
  // Deterministic pseudo-random numbers, so a failure reproduces.
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  // A Zipf-like vocabulary: word i drawn with weight 1 / (i + 1).
  const vocab = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
  const weights = vocab.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const word = () => {
    let x = rand() * total;
    for (let i = 0; i < vocab.length; i++) if ((x -= weights[i]) <= 0) return vocab[i];
    return vocab[0];
  };
  const text = (n: number) => Array.from({ length: n }, word).join(' ');
  const body = () =>
    Array.from(
      { length: 1 + Math.floor(rand() * 3) },
      (_, s) => `${s ? '## Part\n\n' : ''}${text(60 + Math.floor(rand() * 200))}`,
    ).join('\n\n');

  it('returns the same documents, scores and passages for words, filters, phrases, exclusions and pages', () => {
    const ix = new SearchIndex();
    const docs = Array.from({ length: 600 }, (_, i) =>
      doc(`d${String(i).padStart(4, '0')}`, text(3 + Math.floor(rand() * 5)), body(), {
        tags: rand() < 0.5 ? ['even'] : ['odd'],
        collection: rand() < 0.3 ? 'c1' : null,
        status: rand() < 0.8 ? 'published' : 'draft',
      }),
    );
    ix.bulkAdd(docs.slice(0, 400));
    for (const d of docs.slice(400)) ix.upsert(d);
    // Updates and deletes leave dead passages in the postings.
    for (let i = 0; i < 60; i++) ix.upsert({ ...docs[i * 5], version: 2, body: body() });
    for (let i = 0; i < 30; i++) ix.remove(docs[i * 7 + 1].id);

    let compared = 0;
    for (let n = 0; n < 300; n++) {
      // Windows of 4096 passage slots (one here), and of 64 (many, a document across two).
      ix.windowSize = n % 2 ? 64 : 4096;
      // Phrases matched first, or checked on passages that can reach the k-th score.
      ix.phraseFirstCost = n % 4 < 2 ? 400_000 : 0;
      const words = Array.from({ length: 1 + Math.floor(rand() * 8) }, word);
      const q = query(words.join(' '), {
        k: [1, 5, 11, 30][n % 4],
        status: n % 3 === 0 ? 'published' : undefined,
        tags: n % 5 === 0 ? ['even'] : undefined,
        collection: n % 7 === 0 ? 'c1' : undefined,
        excludedTerms: n % 4 === 1 ? terms(word()) : [],
        excludedPhrases: n % 9 === 2 ? [terms(`${word()} ${word()}`)] : [],
        phrases: n % 6 === 3 ? [terms(`${words[0]} ${word()}`)] : [],
      });
      const fast = ix.search(q);
      const slow = ix.searchExhaustive(q);
      expect(fast.map((h) => h.documentId)).toEqual(slow.map((h) => h.documentId));
      expect(fast.map((h) => h.ordinal)).toEqual(slow.map((h) => h.ordinal));
      fast.forEach((h, i) => expect(h.score).toBeCloseTo(slow[i].score, 9));
      compared += slow.length;
    }
    // The comparison is not vacuous: most queries found documents.
    expect(compared).toBeGreaterThan(300 * 3);
  });
});

describe('SearchIndex snapshot file', () => {
  it('restores the same index from a file written while the event loop keeps turning, and keeps taking writes', async () => {
    const ix = new SearchIndex();
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    for (let i = 0; i < 3000; i++) {
      const w = (j: number) => words[(i * 7 + j * 3) % words.length];
      ix.upsert(
        doc(
          `d${i}`,
          `${w(1)} ${w(2)} title ${i}`,
          `${w(3)} ${w(4)} ${w(5)} body.\n\n## More\n\n${w(6)} ${w(7)} end ${i}`,
          {
            tags: [`t${i % 3}`],
            collection: i % 2 ? 'odd' : null,
          },
        ),
      );
    }
    for (let i = 0; i < 3000; i += 10) ix.remove(`d${i}`);
    for (let i = 1; i < 3000; i += 10) ix.upsert(doc(`d${i}`, 'kappa replaced', 'lambda mu', { version: 2 }));
    const dir = mkdtempSync(join(tmpdir(), 'search-snapshot-'));
    try {
      const path = join(dir, 'index.idx');
      const state = ix.state();
      const queries = ['alpha beta', 'kappa', 'gamma title 17', 'theta lambda mu'].flatMap((text) =>
        [{}, { tags: ['t1'] }, { collection: 'odd' }, { excludedTerms: ['beta'] }].map((extra) =>
          query(text, { k: 20, ...extra }),
        ),
      );
      const expected = queries.map((q) => ix.search(q));
      // A write after the state was taken does not leak into the file.
      ix.upsert(doc('late', 'omega', 'omega late'));
      let turns = 0;
      let turning = true;
      const tick = () => {
        turns++;
        if (turning) setImmediate(tick);
      };
      setImmediate(tick);
      await writeSnapshotFile(path, { note: 'x' }, state);
      turning = false;
      // Written in steps with the event loop turning in between (one per string slice at least).
      expect(turns).toBeGreaterThanOrEqual(5);

      const file = await readSnapshotFile<{ note: string }>(path);
      expect(file?.meta).toEqual({ note: 'x' });
      const copy = SearchIndex.fromState(file!.state)!;
      expect(copy.documentCount).toBe(ix.documentCount - 1);
      expect(copy.versionOf('late')).toBe(0);
      expect(copy.isDeleted('d10')).toBe(true);
      queries.forEach((q, i) => expect(copy.search(q)).toEqual(expected[i]));
      // The restored index takes writes: postings read from the file grow, removals apply.
      copy.upsert(doc('new', 'alpha alpha', 'alpha'));
      copy.remove('d2');
      const hits = copy.search(query('alpha', { k: 5000 })).map((h) => h.documentId);
      expect(hits[0]).toBe('new');
      expect(hits).not.toContain('d2');
      expect(copy.search(query('alpha', { k: 5000 }))).toEqual(
        copy.searchExhaustive(query('alpha', { k: 5000 })),
      );
      // Not a snapshot of ours: null, not a crash.
      const other = join(dir, 'other.idx');
      writeFileSync(other, 'not a snapshot');
      expect(await readSnapshotFile(other)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
