import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { DatabaseService } from '@app/database';

/**
 * Resumable-stream storage for one MCP session, in the `mcp_stream_event` table, so a client
 * can resume (Last-Event-ID) on any instance and after a restart. Stream ids are prefixed
 * with the session id: every session has a stream called `_GET_stream`.
 */
export class DbEventStore implements EventStore {
  private readonly prefix: string;

  constructor(
    private readonly db: DatabaseService,
    sessionId: string,
  ) {
    this.prefix = `${sessionId} `;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const row = await this.db.prisma.mcpStreamEvent.create({
      data: { streamId: this.prefix + streamId, message: message as object },
      select: { id: true },
    });
    return String(row.id);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const row = await this.find(eventId);
    return row?.streamId.slice(this.prefix.length);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const last = await this.find(lastEventId);
    if (!last) throw new Error(`unknown event id ${lastEventId}`);
    const rows = await this.db.prisma.mcpStreamEvent.findMany({
      where: { streamId: last.streamId, id: { gt: last.id } },
      orderBy: { id: 'asc' },
      take: 10_000,
    });
    for (const r of rows) {
      // Priming events carry an empty message: they only hand out a cursor.
      if (r.message && Object.keys(r.message as object).length > 0)
        await send(String(r.id), r.message as unknown as JSONRPCMessage);
    }
    return last.streamId.slice(this.prefix.length);
  }

  private async find(eventId: string) {
    if (!/^\d{1,18}$/.test(eventId)) return null;
    const row = await this.db.prisma.mcpStreamEvent.findUnique({
      where: { id: BigInt(eventId) },
      select: { id: true, streamId: true },
    });
    return row && row.streamId.startsWith(this.prefix) ? row : null;
  }

  /** Removes every stored event of a session (when it ends or expires). */
  static async dropSession(db: DatabaseService, sessionId: string): Promise<void> {
    await db.prisma.mcpStreamEvent.deleteMany({ where: { streamId: { startsWith: `${sessionId} ` } } });
  }
}
