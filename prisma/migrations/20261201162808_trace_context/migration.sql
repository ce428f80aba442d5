-- AlterTable
ALTER TABLE "event" ADD COLUMN     "trace_parent" TEXT;

-- AlterTable
ALTER TABLE "job" ADD COLUMN     "trace_parent" TEXT;
