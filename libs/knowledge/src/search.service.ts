import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { InvalidError, clampLimit, decodeCursor, encodeCursor, type FieldError, type Page } from '@app/core';
import { DatabaseService } from '@app/database';
import { MetricsService } from '@app/observability';
import type { Counter } from 'prom-client';
import { DOCUMENT_STATUSES, documentUri, type DocumentStatusName } from './document.types';
import { parseQuery, type ParsedQuery } from './query-parser';
import {
  BM25_DEFAULTS,
  type Bm25Params,
  type IndexQuery,
  type QueryTerm,
  type SearchIndex,
} from './search/search-index';
import { CachedPassages, PassageCache, type DocumentCard } from './search/passage-cache';
import { SnippetMatcher, buildSnippet } from './search/snippet';
import { STOP_WORDS, terms as termsOf } from './search/tokenizer';
import { SearchIndexer } from './search-indexer';

export { BM25_DEFAULTS, TITLE_WEIGHT, type Bm25Params } from './search/search-index';

export interface SearchInput {
  query: string;
  limit?: number;
  /** Only documents carrying every one of these tags. */
  tags?: string[];
  collection?: string;
  /** No filter when omitted (REST); agents' search passes 'published'. */
  status?: DocumentStatusName;
  /** nextCursor of the previous page of the same query. */
  cursor?: string | null;
}

/** One ranked document with its best-matching passage. */
export interface SearchHit {
  documentId: string;
  slug: string;
  title: string;
  uri: string;
  /** Best passage, HTML-escaped, with matches wrapped in <mark>…</mark>. */
  snippet: string;
  score: number;
  heading: string | null;
  /** Stable id of the passage (derived from the document, its version and the passage's position). */
  chunkId: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  updatedAt: string;
}

/** Search as you type and typo tolerance (measured on SciFact with bench/retrieval.ts). */
export interface ExpansionOptions {
  /** Expand the last word, while it is being typed, to the indexed terms it begins. */
  prefix: boolean;
  /** For a word of at least `typoMinLength` letters that no document contains, try close spellings. */
  typos: boolean;
  prefixWeight: number;
  typoWeight: number;
  typoMinLength: number;
}
export const EXPANSION_DEFAULTS: ExpansionOptions = {
  prefix: true,
  typos: true,
  prefixWeight: 0.7,
  typoWeight: 0.5,
  typoMinLength: 5,
};
const PREFIX_MIN_LENGTH = 3;
const PREFIX_EXPANSIONS = 5;
const TYPO_EXPANSIONS = 3;

export const MAX_QUERY_LENGTH = 1000;

/** How often the in-memory per-day search counts are written to search_daily. */
export const SEARCH_COUNT_FLUSH_MS = 5000;

type SearchCursor = { o: number };
const isSearchCursor = (v: unknown): v is SearchCursor =>
  typeof v === 'object' && v !== null && Number.isInteger((v as SearchCursor).o) && (v as SearchCursor).o > 0;

interface DocRow {
  id: string;
  slug: string;
  title: string;
  /** Null when this process already holds the passages of this version. */
  body: string | null;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  updated_at: Date | string;
}

/**
 * Full-text search over document passages: BM25 (title weighted) in the in-process index that
 * SearchIndexer derives from Postgres, then one query for the page's documents (their current
 * row, and the passage for the snippet). The one search used by REST, MCP, the admin and benches.
 */
@Injectable()
export class SearchService implements OnModuleInit, OnModuleDestroy {
  params: Bm25Params = { ...BM25_DEFAULTS };
  expansion: ExpansionOptions = { ...EXPANSION_DEFAULTS };
  private readonly searches?: Counter<string>;
  private readonly logger = new Logger(SearchService.name);
  private pending = new Map<string, number>();
  private flushTimer?: NodeJS.Timeout;
  /** Chunked bodies of recently returned document versions (snippets are cut from them). */
  private readonly passages = new PassageCache();

  constructor(
    private readonly db: DatabaseService,
    private readonly indexer: SearchIndexer,
    @Optional() metrics?: MetricsService,
  ) {
    this.searches = metrics?.counter('context_desk_search_queries_total', 'Knowledge searches run');
  }

  async search(input: SearchInput): Promise<Page<SearchHit>> {
    const limit = clampLimit(input.limit);
    const offset = decodeCursor(input.cursor, isSearchCursor)?.o ?? 0;
    const query = typeof input.query === 'string' ? input.query.trim() : '';
    const errors: FieldError[] = [];
    if (!query) errors.push({ field: 'query', message: 'must not be empty' });
    if (query.length > MAX_QUERY_LENGTH)
      errors.push({ field: 'query', message: `must be at most ${MAX_QUERY_LENGTH} characters` });
    if (input.status !== undefined && !DOCUMENT_STATUSES.includes(input.status))
      errors.push({ field: 'status', message: `must be one of ${DOCUMENT_STATUSES.join(', ')}` });
    if (errors.length) throw new InvalidError('search is not valid', errors);
    this.searches?.inc();
    this.count();

    const index = await this.indexer.current();
    // The raw input, not the trimmed one: a trailing space means the last word is complete.
    const parsed = parseQuery(input.query.length <= MAX_QUERY_LENGTH ? input.query : query);
    const q = this.plan(parsed, index, input, offset + limit + 1);
    const hits = index.search(q).slice(offset);
    const hasMore = hits.length > limit;
    const page = hits.slice(0, limit);
    if (!page.length) return { items: [], nextCursor: null };

    // Each hit's version as the index has it: its passages and card when this process has read
    // them before (a version never changes), else its current row, in one query for the page,
    // with the body only where this process has not chunked that version yet. Held here, so an
    // eviction while the query runs cannot take them away.
    const held = new Map<string, CachedPassages>();
    for (const h of page) {
      const c = this.passages.get(h.documentId, h.version);
      if (c) held.set(`${h.documentId}:${h.version}`, c);
    }
    const unknown = page.filter((h) => !held.get(`${h.documentId}:${h.version}`)?.card);
    const rows = unknown.length
      ? await this.db.driver.query<DocRow>(
          `SELECT id::text AS id, slug, title, tags, collection, status::text AS status, version, updated_at,
                  CASE WHEN id::text || ':' || version = ANY($2::text[]) THEN NULL ELSE body END AS body
             FROM document WHERE id = ANY($1::uuid[])`,
          [unknown.map((h) => h.documentId), [...held.keys()]],
        )
      : [];
    const current = new Map<string, CachedPassages>();
    for (const r of rows) {
      const passages =
        r.body === null ? held.get(`${r.id}:${r.version}`)! : this.passages.put(r.id, r.version, r.body);
      passages.card = {
        id: r.id,
        slug: r.slug,
        title: r.title,
        tags: r.tags,
        collection: r.collection,
        status: r.status,
        version: r.version,
        updatedAt: new Date(r.updated_at).toISOString(),
      };
      current.set(r.id, passages);
    }
    const highlight = new SnippetMatcher(new Set(q.terms.map((t) => t.term)));
    const items: SearchHit[] = [];
    for (const h of page) {
      const passages = current.get(h.documentId) ?? held.get(`${h.documentId}:${h.version}`);
      const card = passages?.card;
      // Gone, or changed by another instance in the last instant so that it no longer passes.
      if (!passages || !card || !passes(card, input)) continue;
      const chunk = passages.at(h.ordinal);
      items.push({
        documentId: card.id,
        slug: card.slug,
        title: card.title,
        uri: documentUri(card.slug),
        snippet: buildSnippet(chunk.content, highlight),
        score: Math.round(h.score * 10000) / 10000,
        heading: chunk.heading,
        chunkId: passages.id(h.version, chunk.ordinal),
        tags: card.tags,
        collection: card.collection,
        status: card.status,
        version: card.version,
        updatedAt: card.updatedAt,
      });
    }
    return { items, nextCursor: hasMore ? encodeCursor({ o: offset + limit }) : null };
  }

  /** The index query for a parsed query: its terms, plus prefix and typo expansions. */
  plan(parsed: ParsedQuery, index: SearchIndex, input: Omit<SearchInput, 'query'>, k: number): IndexQuery {
    const seen = new Set<string>();
    const terms: QueryTerm[] = [];
    const add = (term: string, weight: number) => {
      if (seen.has(term)) return;
      seen.add(term);
      terms.push({ term, weight });
    };
    const own = termsOf(parsed.text);
    for (const t of own) add(t, 1);
    const x = this.expansion;
    let prefixTerm: string | null = null;
    if (
      x.prefix &&
      parsed.prefix &&
      parsed.prefix.length >= PREFIX_MIN_LENGTH &&
      !STOP_WORDS.has(parsed.prefix)
    ) {
      const expanded = index.expandPrefix(parsed.prefix, PREFIX_EXPANSIONS);
      for (const t of expanded) add(t, x.prefixWeight);
      // A word being typed that begins known terms is not a typo.
      if (expanded.length) prefixTerm = termsOf(parsed.prefix)[0] ?? null;
    }
    if (x.typos) {
      for (const t of own) {
        if (t.length < x.typoMinLength || t === prefixTerm || index.documentFrequency(t) > 0) continue;
        for (const s of index.similarTerms(t, t.length >= 8 ? 2 : 1, TYPO_EXPANSIONS)) add(s, x.typoWeight);
      }
    }
    const excludedTerms: string[] = [];
    const excludedPhrases: string[][] = parsed.excludedPhrases.map((p) => termsOf(p));
    for (const w of parsed.excludedWords) {
      const t = termsOf(w);
      if (t.length === 1) excludedTerms.push(t[0]);
      else if (t.length > 1) excludedPhrases.push(t);
    }
    return {
      terms,
      phrases: parsed.phrases.map((p) => termsOf(p)),
      excludedTerms,
      excludedPhrases: excludedPhrases.filter((p) => p.length),
      status: input.status,
      collection: input.collection,
      tags: input.tags?.length ? input.tags.map((t) => t.trim().toLowerCase()) : undefined,
      k,
      params: this.params,
    };
  }

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flushSearchCounts(), SEARCH_COUNT_FLUSH_MS);
    this.flushTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushSearchCounts();
  }

  /** Adds the in-memory per-day search counts to search_daily in one upsert (kept for the next try on failure). */
  async flushSearchCounts(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.db.driver.query(
        `INSERT INTO search_daily (day, count)
         SELECT * FROM unnest($1::date[], $2::int[])
         ON CONFLICT (day) DO UPDATE SET count = search_daily.count + excluded.count`,
        [[...batch.keys()], [...batch.values()]],
      );
    } catch (err) {
      for (const [day, n] of batch) this.pending.set(day, (this.pending.get(day) ?? 0) + n);
      this.logger.warn(`search counts not saved yet: ${(err as Error).message}`);
    }
  }

  /** Counts a search in memory (UTC day); written by flushSearchCounts, off the search's path. */
  private count(): void {
    const day = new Date().toISOString().slice(0, 10);
    this.pending.set(day, (this.pending.get(day) ?? 0) + 1);
  }
}

function passes(r: Pick<DocumentCard, 'status' | 'collection' | 'tags'>, input: SearchInput): boolean {
  if (input.status !== undefined && r.status !== input.status) return false;
  if (input.collection !== undefined && r.collection !== input.collection) return false;
  return !input.tags?.length || input.tags.every((t) => r.tags.includes(t.trim().toLowerCase()));
}
