import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Principal } from '@app/core';
import { McpServerFactory, McpServerState } from './mcp-server.factory';
import type { McpSubscriptions } from './subscriptions';

/**
 * One MCP server on stdin/stdout for a fixed caller (the CLI's API key). Resolves when the
 * client closes the connection.
 */
export async function serveStdio(
  factory: McpServerFactory,
  subscriptions: McpSubscriptions,
  principal: Principal,
  streams: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<McpServer> {
  const state = new McpServerState(true, principal);
  const server = factory.build(state);
  const transport = new StdioServerTransport(streams.stdin as never, streams.stdout as never);
  const release = subscriptions.add({
    principal,
    subscriptions: state.subscriptions,
    resourceUpdated: (uri) => server.server.sendResourceUpdated({ uri }),
    resourceListChanged: async () => server.sendResourceListChanged(),
  });
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => {
      release();
      resolve();
    };
  });
  await server.connect(transport);
  (streams.stdin ?? process.stdin).once('end', () => void server.close());
  await closed;
  return server;
}
