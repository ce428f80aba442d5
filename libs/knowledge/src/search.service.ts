import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { InvalidError, clampLimit, decodeCursor, encodeCursor, type FieldError, type Page } from '@app/core';
import { DatabaseService } from '@app/database';
import { MetricsService } from '@app/observability';
import type { Counter } from 'prom-client';
import { DOCUMENT_STATUSES, documentUri, type DocumentStatusName } from './document.types';
import { parseQuery, type ParsedQuery } from './query-parser';

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
  chunkId: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  updatedAt: string;
}

/** BM25 parameters (Lucene idf); tuned on SciFact with bench/retrieval.ts. */
export interface Bm25Params {
  k1: number;
  b: number;
}
export const BM25_DEFAULTS: Bm25Params = { k1: 1.2, b: 0.75 };

export const MAX_QUERY_LENGTH = 1000;

/**
 * Postings read per query term, highest impact first (see SearchIndexer): bounds a search's work
 * however common its terms are. Tuned on SciFact with bench/retrieval.ts --tune.
 */
export const POSTINGS_PER_TERM = 2000;

/** How often the in-memory per-day search counts are written to search_daily. */
export const SEARCH_COUNT_FLUSH_MS = 5000;

// ts_headline marks matches with private-use sentinels; the passage is then HTML-escaped and the
// sentinels become <mark> tags, so a document's own markup never reaches a UI as live HTML.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${OPEN}, StopSel=${CLOSE}, MaxFragments=2, MaxWords=20, MinWords=8, ShortWord=2, FragmentDelimiter=" … "`;
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const toSnippet = (headline: string): string =>
  headline
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
    .replaceAll(OPEN, '<mark>')
    .replaceAll(CLOSE, '</mark>');

type SearchCursor = { o: number };
const isSearchCursor = (v: unknown): v is SearchCursor =>
  typeof v === 'object' && v !== null && Number.isInteger((v as SearchCursor).o) && (v as SearchCursor).o > 0;

interface HitRow {
  document_id: string;
  chunk_id: string;
  score: number;
  slug: string;
  title: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  updated_at: Date | string;
  heading: string | null;
  snippet: string;
}

/**
 * Full-text search over document passages, ranked with BM25 computed in SQL from the postings
 * of the query's terms only (see SearchIndexer). The one search used by REST, MCP and benches.
 */
@Injectable()
export class SearchService implements OnModuleInit, OnModuleDestroy {
  params: Bm25Params = { ...BM25_DEFAULTS };
  postingsPerTerm = POSTINGS_PER_TERM;
  private readonly searches?: Counter<string>;
  private readonly logger = new Logger(SearchService.name);
  private pending = new Map<string, number>();
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: DatabaseService,
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

    const parsed = parseQuery(query);
    let rows = await this.db.driver.query<HitRow>(...this.sql(parsed, input, limit, offset, true));
    // A page from the top postings alone may be short only because a filter, a phrase or a deep
    // offset removed candidates: then, if some query term's postings were cut, score all of them.
    if (rows.length <= limit && (await this.truncated(parsed.text)))
      rows = await this.db.driver.query<HitRow>(...this.sql(parsed, input, limit, offset, false));
    const hasMore = rows.length > limit;
    const items = (hasMore ? rows.slice(0, limit) : rows).map(toHit);
    return { items, nextCursor: hasMore ? encodeCursor({ o: offset + limit }) : null };
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

  /** Whether some term of the query has more postings than a search reads per term. */
  private async truncated(text: string): Promise<boolean> {
    const [row] = await this.db.driver.query<{ cut: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM search_term
          WHERE term IN (SELECT lexeme FROM unnest(to_tsvector('english', $1::text))) AND df > $2::int) AS cut`,
      [text, this.postingsPerTerm],
    );
    return Boolean(row?.cut);
  }

  private sql(
    parsed: ParsedQuery,
    input: SearchInput,
    limit: number,
    offset: number,
    topOnly: boolean,
  ): [string, unknown[]] {
    const params: unknown[] = [parsed.text, this.params.k1, this.params.b];
    const p = (v: unknown) => `$${params.push(v)}`;

    const topPostings = topOnly ? `ORDER BY impact DESC LIMIT ${p(this.postingsPerTerm)}::int` : '';
    const chunkFilter = parsed.required
      ? `WHERE EXISTS (SELECT 1 FROM document_chunk c
          WHERE c.id = s.chunk_id AND c.tsv @@ websearch_to_tsquery('english', ${p(parsed.required)}))`
      : '';
    const docFilters: string[] = [];
    if (input.status) docFilters.push(`d.status = ${p(input.status)}::"DocumentStatus"`);
    if (input.collection) docFilters.push(`d.collection = ${p(input.collection)}`);
    if (input.tags?.length)
      docFilters.push(`d.tags @> ${p(input.tags.map((t) => t.trim().toLowerCase()))}::text[]`);
    if (parsed.excluded) {
      docFilters.push(`NOT EXISTS (SELECT 1 FROM document_chunk x
        WHERE x.document_id = d.id AND x.tsv @@ websearch_to_tsquery('english', ${p(parsed.excluded)}))`);
    }
    const headlineParam = p(HEADLINE_OPTIONS);
    const limitParam = p(limit + 1);
    const offsetParam = p(offset);

    // q: the query's distinct lexemes (stopwords dropped); terms: their idf; postings: each
    // term's postings (only its top-impact ones when topOnly) scored from the tf and chunk
    // length stored in the posting, so candidates are never joined to their chunk; scored: BM25
    // per chunk; best: each document's top chunk; documents are read for filters and the page.
    const sql = `
      WITH q AS (SELECT DISTINCT lexeme AS term FROM unnest(to_tsvector('english', $1::text))),
      corpus AS (
        SELECT greatest(chunk_count, 1)::float8 AS n,
               greatest(total_length::float8 / greatest(chunk_count, 1), 1) AS avgdl
          FROM search_corpus WHERE id = 1
      ),
      terms AS (
        SELECT st.term, ln(1 + (corpus.n - st.df + 0.5) / (st.df + 0.5)) AS idf
          FROM search_term st JOIN q ON q.term = st.term CROSS JOIN corpus
         WHERE st.df > 0
      ),
      postings AS (
        SELECT sp.chunk_id, sp.document_id,
               terms.idf * sp.tf * ($2::float8 + 1)
                 / (sp.tf + $2::float8 * (1 - $3::float8 + $3::float8 * sp.len / corpus.avgdl)) AS s
          FROM terms CROSS JOIN corpus
          CROSS JOIN LATERAL (
            SELECT chunk_id, document_id, tf, len FROM search_posting
             WHERE term = terms.term ${topPostings}
          ) sp
      ),
      scored AS (
        SELECT * FROM (
          SELECT chunk_id, document_id, sum(s) AS score FROM postings GROUP BY chunk_id, document_id
        ) s ${chunkFilter}
      ),
      best AS (
        SELECT DISTINCT ON (document_id) document_id, chunk_id, score
          FROM scored ORDER BY document_id, score DESC, chunk_id
      ),
      page AS (
        SELECT b.document_id, b.chunk_id, b.score
          FROM best b
         ${docFilters.length ? `JOIN document d ON d.id = b.document_id WHERE ${docFilters.join(' AND ')}` : ''}
         ORDER BY b.score DESC, b.document_id
         LIMIT ${limitParam} OFFSET ${offsetParam}
      ),
      hq AS (
        SELECT coalesce(string_agg('''' || replace(replace(term, '\\', '\\\\'), '''', '''''') || '''', ' | '), '')::tsquery AS query
          FROM q
      )
      SELECT page.document_id::text AS document_id, page.chunk_id::text AS chunk_id, page.score::float8 AS score,
             d.slug, d.title, d.tags, d.collection, d.status::text AS status, d.version, d.updated_at,
             ch.heading, ts_headline('english', ch.content, hq.query, ${headlineParam}::text) AS snippet
        FROM page
        JOIN document d ON d.id = page.document_id
        JOIN document_chunk ch ON ch.id = page.chunk_id
        CROSS JOIN hq
       ORDER BY page.score DESC, page.document_id`;

    return [sql, params];
  }
}

const toHit = (r: HitRow): SearchHit => ({
  documentId: r.document_id,
  slug: r.slug,
  title: r.title,
  uri: documentUri(r.slug),
  snippet: toSnippet(r.snippet),
  score: Math.round(Number(r.score) * 10000) / 10000,
  heading: r.heading,
  chunkId: r.chunk_id,
  tags: r.tags,
  collection: r.collection,
  status: r.status,
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
});
