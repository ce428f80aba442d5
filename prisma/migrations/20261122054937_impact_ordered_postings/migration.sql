-- Impact-ordered postings: each posting carries its chunk's document id and length, plus an
-- impact (BM25 term weight with k1 1.2, b 0.75 and the current average chunk length) that orders
-- a term's postings in a covering index, so search reads only a term's top postings.

-- DropIndex (the new primary key leads with chunk_id)
DROP INDEX "search_posting_chunk_id_idx";

-- AlterTable (columns nullable first so existing postings can be backfilled)
ALTER TABLE "search_posting" DROP CONSTRAINT "search_posting_pkey",
ADD COLUMN     "document_id" UUID,
ADD COLUMN     "impact" REAL,
ADD COLUMN     "len" INTEGER,
ADD CONSTRAINT "search_posting_pkey" PRIMARY KEY ("chunk_id", "term");

-- Backfill
UPDATE "search_posting" p
   SET "document_id" = c."document_id",
       "len" = c."length",
       "impact" = p."tf" * 2.2 / (p."tf" + 1.2 * (0.25 + 0.75 * c."length" / corpus.avgdl))
  FROM "document_chunk" c,
       (SELECT greatest("total_length"::float8 / greatest("chunk_count", 1), 1) AS avgdl
          FROM "search_corpus" WHERE "id" = 1) corpus
 WHERE c."id" = p."chunk_id";

ALTER TABLE "search_posting" ALTER COLUMN "document_id" SET NOT NULL,
ALTER COLUMN "impact" SET NOT NULL,
ALTER COLUMN "len" SET NOT NULL;

-- CreateTable
CREATE TABLE "search_daily" (
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "search_daily_pkey" PRIMARY KEY ("day")
);

-- CreateIndex
CREATE INDEX "search_posting_term_impact_chunk_id_document_id_tf_len_idx" ON "search_posting"("term", "impact" DESC, "chunk_id", "document_id", "tf", "len");
