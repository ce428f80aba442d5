import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** An SDK MCP client connected to <baseUrl>/mcp with a bearer token. */
export async function mcpClient(
  baseUrl: string,
  token: string,
  opts: { name?: string; onNotification?: (method: string, params: unknown) => void } = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport; close(): Promise<void> }> {
  const client = new Client({ name: opts.name ?? 'e2e', version: '1.0.0' }, { capabilities: {} });
  if (opts.onNotification) {
    client.fallbackNotificationHandler = async (n) => opts.onNotification!(n.method, n.params);
  }
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return {
    client,
    transport,
    async close() {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/**
 * One raw JSON-RPC POST to <baseUrl>/mcp, as a Streamable HTTP client sends it (JSON body,
 * Accept of both answer kinds, the bearer), plus `headers` (protocol version, session, routing).
 */
export function postMcp(
  baseUrl: string,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Polls until fn returns a truthy value (events arrive through the outbox poller). */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Every JSON-RPC message in a raw /mcp response body, whether it came as JSON (one message or a
 * batch) or as an SSE stream (`data:` lines). Lines that are not JSON are skipped.
 */
export function rpcMessages(text: string): any[] {
  const trimmed = text.trim();
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim())
    .concat(trimmed.startsWith('{') || trimmed.startsWith('[') ? [trimmed] : [])
    .flatMap((m) => {
      try {
        return [JSON.parse(m)].flat();
      } catch {
        return [];
      }
    });
}
