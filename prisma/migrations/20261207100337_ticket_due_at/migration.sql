-- AlterTable
ALTER TABLE "ticket" ADD COLUMN     "due_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "ticket_due_at_idx" ON "ticket"("due_at");
