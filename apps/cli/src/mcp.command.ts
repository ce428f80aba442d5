import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  StreamableHTTPClientTransport,
  type JSONRPCMessage,
} from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { AuthService } from '@app/auth';
import { AppConfig, loadConfig } from '@app/config';
import { McpModule, McpServerFactory, McpSubscriptions, serveStdio } from '@app/mcp';
import { parseOptions } from './args';
import { CliModule } from './cli.module';

@Module({})
class McpStdioModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: McpStdioModule, imports: [CliModule.forRoot(config), McpModule] };
  }
}

/**
 * `context-desk mcp [--url http://host:port/mcp]`: an MCP server on stdin/stdout for desktop
 * agents, authenticated with the API key in CONTEXT_DESK_API_KEY. Without --url it opens the
 * database itself (DATABASE_URL, or the embedded DATA_DIR when no server has it open); with
 * --url it relays every message to a running server's /mcp. Nothing but MCP goes to stdout.
 */
export async function mcpCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { url: { type: 'string' } });
  const config = loadConfig();
  if (!config.mcpApiKey) {
    throw new Error(
      'CONTEXT_DESK_API_KEY is not set: create a key with `context-desk api-keys create --name desktop --scopes kb:read,tickets:read`',
    );
  }
  if (values.url) return bridge(values.url, config.mcpApiKey);

  const app = await NestFactory.createApplicationContext(McpStdioModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    const principal = await app.get(AuthService).authenticate(config.mcpApiKey, 'mcp');
    await serveStdio(app.get(McpServerFactory), app.get(McpSubscriptions), principal);
  } finally {
    await app.close();
  }
}

/**
 * Relays JSON-RPC between stdio and a remote /mcp endpoint, either protocol era (the SDK's
 * client transport keeps the session, SSE resumption and the 2026-07-28 routing headers). When
 * the desktop client closes stdin, the remote session is ended (DELETE) before exiting.
 */
async function bridge(url: string, apiKey: string): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new Error(`--url is not a valid URL (got "${url}")`);
  }
  const stdio = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(target, {
    requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
  });
  const initializeIds = new Set<string | number>();
  let closing: Promise<void> | null = null;
  // Each side's close ends the other once: no close → onclose → close recursion.
  const shutdown = () =>
    (closing ??= (async () => {
      await remote.terminateSession().catch(() => undefined);
      await remote.close().catch(() => undefined);
      await stdio.close().catch(() => undefined);
    })());
  stdio.onclose = () => void shutdown();
  remote.onclose = () => void shutdown();
  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isInitializeRequest(message)) initializeIds.add((message as { id: string | number }).id);
    remote.send(message).catch((e: Error) => {
      if (isJSONRPCRequest(message)) {
        void stdio.send({
          jsonrpc: '2.0',
          id: message.id,
          error: {
            code: -32000,
            message: `Context Desk at ${target.origin} refused or failed: ${e.message}`,
          },
        });
      } else process.stderr.write(`context-desk mcp: ${e.message}\n`);
    });
  };
  remote.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCResultResponse(message) && initializeIds.delete(message.id)) {
      const version = (message.result as { protocolVersion?: string }).protocolVersion;
      if (version) remote.setProtocolVersion(version);
    }
    if (!closing) void stdio.send(message).catch(() => undefined);
  };
  remote.onerror = (e) => {
    if (!closing) process.stderr.write(`context-desk mcp: ${e.message}\n`);
  };
  await remote.start();
  await stdio.start();
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await shutdown();
}
