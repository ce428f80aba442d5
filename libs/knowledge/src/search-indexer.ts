import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import { chunkMarkdown } from './chunking';
import { BM25_DEFAULTS } from './search.service';

/**
 * Weight of a title occurrence relative to a body occurrence in a posting's term frequency
 * (tuned on SciFact; see bench/retrieval.ts).
 */
export const TITLE_WEIGHT = 2.5;

/**
 * Maintains the BM25 inverted index (document_chunk → search_posting, search_term.df,
 * search_corpus totals) inside the caller's transaction, so the index always matches the
 * committed documents.
 *
 * Impact-ordered postings: each posting stores what its BM25 term weight needs (tf, the chunk's
 * length, its document id) plus `impact`, that weight computed with the default k1/b and the
 * corpus average length at index time, indexed on (term, impact DESC). Search reads only the
 * top-impact postings of each query term and computes the score from tf and len with the
 * current average length and parameters, so scores never go stale; only the choice of which
 * postings are read uses the index-time average (it drifts slowly as the corpus grows and is
 * refreshed whenever a document is re-indexed, or for all postings by refreshImpacts()).
 *
 * Lock order: every method first locks the search_corpus row, which serialises index writers
 * (no deadlocks on search_term rows). Callers that also append an outbox event must index
 * BEFORE appending it, so every writer takes corpus row → outbox lock in the same order.
 */
@Injectable()
export class SearchIndexer {
  /** Re-indexes one document if its indexed version is stale (idempotent by document version). */
  indexDocument(tx: Tx, documentId: string): Promise<number> {
    return this.indexDocuments(tx, [documentId]);
  }

  /** Set-based indexing of many documents in one pass; returns how many were (re)indexed. */
  async indexDocuments(tx: Tx, documentIds: string[]): Promise<number> {
    if (!documentIds.length) return 0;
    await lockCorpus(tx);
    const docs = await tx.$queryRawUnsafe<{ id: string; title: string; body: string }[]>(
      `SELECT id::text AS id, title, body FROM document
        WHERE id = ANY($1::uuid[]) AND indexed_version <> version`,
      documentIds,
    );
    if (!docs.length) return 0;
    const ids = docs.map((d) => d.id);
    await removeChunks(tx, ids);

    const cols = {
      doc: [] as string[],
      ord: [] as number[],
      heading: [] as (string | null)[],
      title: [] as string[],
      content: [] as string[],
    };
    for (const d of docs) {
      for (const c of chunkMarkdown(d.body)) {
        cols.doc.push(d.id);
        cols.ord.push(c.ordinal);
        cols.heading.push(c.heading);
        cols.title.push(d.title);
        cols.content.push(c.content);
      }
    }
    await tx.$executeRawUnsafe(
      `INSERT INTO document_chunk (id, document_id, ordinal, heading, title, content)
       SELECT gen_random_uuid(), x.document_id, x.ordinal, x.heading, x.title, x.content
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[])
           AS x(document_id, ordinal, heading, title, content)`,
      cols.doc,
      cols.ord,
      cols.heading,
      cols.title,
      cols.content,
    );
    // Postings from the chunk's generated tsvector (title lexemes carry weight A, body B), each
    // with its chunk length and impact; then chunk lengths, document frequencies and corpus
    // totals, all in one statement.
    await tx.$executeRawUnsafe(
      `WITH t AS (
         SELECT t.lexeme AS term, c.id AS chunk_id, c.document_id,
                ($2::float8 * cardinality(array_positions(t.weights, 'A'))
                  + cardinality(t.weights) - cardinality(array_positions(t.weights, 'A')))::real AS tf
           FROM document_chunk c CROSS JOIN LATERAL unnest(c.tsv) AS t
          WHERE c.document_id = ANY($1::uuid[])
       ),
       l AS (SELECT chunk_id, round(sum(tf))::int AS len FROM t GROUP BY chunk_id),
       corpus AS (
         SELECT greatest((total_length + (SELECT coalesce(sum(len), 0) FROM l))::float8
                         / greatest(chunk_count + $3::int, 1), 1) AS avgdl
           FROM search_corpus WHERE id = 1
       ),
       ins AS (
         INSERT INTO search_posting (term, chunk_id, document_id, tf, len, impact)
         SELECT t.term, t.chunk_id, t.document_id, t.tf, l.len,
                t.tf * ($4::float8 + 1) / (t.tf + $4::float8 * (1 - $5::float8 + $5::float8 * l.len / corpus.avgdl))
           FROM t JOIN l USING (chunk_id) CROSS JOIN corpus
       ),
       lengths AS (
         UPDATE document_chunk c SET length = l.len FROM l WHERE c.id = l.chunk_id
       ),
       df AS (
         INSERT INTO search_term (term, df)
         SELECT term, count(*)::int FROM t GROUP BY term ORDER BY term
         ON CONFLICT (term) DO UPDATE SET df = search_term.df + excluded.df
       )
       UPDATE search_corpus
          SET chunk_count = chunk_count + $3::int,
              total_length = total_length + (SELECT coalesce(sum(len), 0) FROM l)
        WHERE id = 1`,
      ids,
      TITLE_WEIGHT,
      cols.doc.length,
      BM25_DEFAULTS.k1,
      BM25_DEFAULTS.b,
    );
    await tx.$executeRawUnsafe(
      `UPDATE document SET indexed_version = version WHERE id = ANY($1::uuid[])`,
      ids,
    );
    return ids.length;
  }

  /** Recomputes every posting's impact with the current average chunk length (after bulk growth). */
  async refreshImpacts(tx: Tx): Promise<void> {
    await lockCorpus(tx);
    await tx.$executeRawUnsafe(
      `UPDATE search_posting p
          SET impact = p.tf * ($1::float8 + 1) / (p.tf + $1::float8 * (1 - $2::float8 + $2::float8 * p.len / corpus.avgdl))
         FROM (SELECT greatest(total_length::float8 / greatest(chunk_count, 1), 1) AS avgdl
                 FROM search_corpus WHERE id = 1) corpus`,
      BM25_DEFAULTS.k1,
      BM25_DEFAULTS.b,
    );
  }

  /** Takes a document out of the index (call before deleting it: the cascade alone would leave df and totals stale). */
  async removeDocument(tx: Tx, documentId: string): Promise<void> {
    await lockCorpus(tx);
    await removeChunks(tx, [documentId]);
  }
}

async function lockCorpus(tx: Tx): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT id FROM search_corpus WHERE id = 1 FOR UPDATE`);
}

/** Deletes the documents' chunks (postings cascade) and subtracts them from df and the corpus totals. */
async function removeChunks(tx: Tx, documentIds: string[]): Promise<void> {
  await tx.$executeRawUnsafe(
    `WITH old AS (SELECT id, length FROM document_chunk WHERE document_id = ANY($1::uuid[])),
     dec AS (
       UPDATE search_term t SET df = t.df - x.n
         FROM (SELECT p.term, count(*)::int AS n FROM search_posting p JOIN old ON old.id = p.chunk_id
                GROUP BY p.term) x
        WHERE t.term = x.term
     ),
     corpus AS (
       UPDATE search_corpus
          SET chunk_count = chunk_count - (SELECT count(*) FROM old),
              total_length = total_length - (SELECT coalesce(sum(length), 0) FROM old)
        WHERE id = 1
     )
     DELETE FROM document_chunk WHERE id IN (SELECT id FROM old)`,
    documentIds,
  );
}
