-- Unused since MCP stream events are replayed from the outbox (nothing is stored per session).
-- DropTable
DROP TABLE "mcp_stream_event";
