-- CreateTable
CREATE TABLE "document_draft" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "base_version" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" TEXT[],
    "collection" TEXT,
    "author_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_draft_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "document_draft_document_id_idx" ON "document_draft"("document_id");

-- CreateIndex
CREATE INDEX "document_draft_created_at_id_idx" ON "document_draft"("created_at", "id");

-- AddForeignKey
ALTER TABLE "document_draft" ADD CONSTRAINT "document_draft_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "document"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_draft" ADD CONSTRAINT "document_draft_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
