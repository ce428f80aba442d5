-- AlterTable
ALTER TABLE "job" ADD COLUMN     "checkpoint" JSONB;

-- CreateTable
CREATE TABLE "webhook_dispatch_cursor" (
    "id" TEXT NOT NULL,
    "last_event_id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_dispatch_cursor_pkey" PRIMARY KEY ("id")
);

-- Events before this migration were dispatched by the previous in-memory dispatcher.
INSERT INTO "webhook_dispatch_cursor" ("id", "last_event_id") SELECT 'webhooks', coalesce(max("id"), 0) FROM "event";
