import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport, serveStdio as sdkServeStdio } from '@modelcontextprotocol/server/stdio';
import type { Principal } from '@app/core';
import { McpServerFactory } from './mcp-server.factory';
import { McpSubscriptions, notifyThrough } from './subscriptions';

/** Every URI: a 2026-07-28 connection filters by its own `subscriptions/listen` streams. */
const ALL: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/**
 * One MCP connection on stdin/stdout for a fixed caller (the CLI's API key), speaking
 * 2026-07-28 (`server/discover`, `subscriptions/listen`) or the 2025 family (initialize),
 * whichever the client opens with. Resolves when the client closes its end.
 */
export async function serveStdio(
  factory: McpServerFactory,
  subscriptions: McpSubscriptions,
  principal: Principal,
  streams: { stdin?: Readable; stdout?: Writable } = {},
): Promise<void> {
  const stdin = streams.stdin ?? process.stdin;
  const releases = new Set<() => void>();
  const handle = sdkServeStdio(
    ({ era }) => {
      const subs = new Set<string>();
      const server = factory.build({
        notifies: true,
        subscribable: era === 'legacy',
        fixedPrincipal: principal,
        subscriptions: subs,
      });
      const release = subscriptions.add({
        principal,
        subscriptions: era === 'legacy' ? subs : ALL,
        ...notifyThrough(server),
      });
      releases.add(release);
      server.onclose = () => {
        release();
        releases.delete(release);
      };
      return server;
    },
    { transport: new StdioServerTransport(stdin, streams.stdout ?? process.stdout) },
  );
  await new Promise<void>((resolve) => {
    if (stdin.readableEnded) resolve();
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  await handle.close();
  for (const release of releases) release();
}
