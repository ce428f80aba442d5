-- AlterTable
ALTER TABLE "mcp_session" ADD COLUMN     "subscriptions" TEXT[] DEFAULT ARRAY[]::TEXT[];
