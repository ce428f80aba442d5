-- Search moves to an in-process index derived from documents and the outbox (SearchIndexer):
-- the SQL postings, chunks and corpus totals are no longer written or read.

-- DropForeignKey
ALTER TABLE "document_chunk" DROP CONSTRAINT "document_chunk_document_id_fkey";

-- DropForeignKey
ALTER TABLE "search_posting" DROP CONSTRAINT "search_posting_chunk_id_fkey";

-- AlterTable
ALTER TABLE "document" DROP COLUMN "indexed_version";

-- DropTable
DROP TABLE "document_chunk";

-- DropTable
DROP TABLE "search_corpus";

-- DropTable
DROP TABLE "search_posting";

-- DropTable
DROP TABLE "search_term";

-- CreateTable
CREATE TABLE "search_index_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "epoch" UUID NOT NULL DEFAULT gen_random_uuid(),

    CONSTRAINT "search_index_state_pkey" PRIMARY KEY ("id")
);

-- The one row: this database's search index epoch.
INSERT INTO "search_index_state" ("id") VALUES (1);
