import { SearchIndex, editDistance, type IndexQuery, type IndexedDocument } from './search-index';
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
