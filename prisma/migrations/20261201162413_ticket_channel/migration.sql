-- CreateEnum
CREATE TYPE "TicketChannel" AS ENUM ('email', 'chat', 'phone', 'api');

-- AlterTable
ALTER TABLE "ticket" ADD COLUMN     "channel" "TicketChannel" NOT NULL DEFAULT 'api';

-- CreateIndex
CREATE INDEX "ticket_channel_idx" ON "ticket"("channel");
