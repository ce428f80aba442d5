import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * Creates an ioredis connection for REDIS_URL. BullMQ needs `maxRetriesPerRequest: null` on
 * the connections it blocks on; plain commands keep a short retry budget so a dead Redis
 * surfaces as an error instead of hanging a request.
 */
export function createRedis(url: string, opts: { blocking?: boolean; name?: string } = {}): Redis {
  // Loaded on first use: the embedded mode (no REDIS_URL) never needs ioredis (~10 MiB).
  const { Redis: Client } = createRequire(__filename)('ioredis') as typeof import('ioredis');
  const options: RedisOptions = {
    lazyConnect: false,
    connectionName: opts.name,
    maxRetriesPerRequest: opts.blocking ? null : 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  const client = new Client(url, options);
  // Connection errors are reported by health checks and by the calls that fail.
  client.on('error', () => undefined);
  return client;
}

/** Fails with a readable message when Redis does not answer in time. */
export async function pingRedis(client: Redis, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
