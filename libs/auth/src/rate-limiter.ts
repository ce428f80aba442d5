import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { REDIS } from '@app/redis';

/** A named limit: at most `limit` hits per `windowSec` seconds for each key. */
export interface RateLimitPolicy {
  name: string;
  limit: number;
  windowSec: number;
}

export interface RateLimitDecision {
  /** False once the key has used up its hits in the current window. */
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends (use as Retry-After when not allowed); at least 1. */
  retryAfterSec: number;
}

interface Hits {
  hits: number;
  ttlMs: number;
}

/** INCR with the window's expiry set on the first hit, atomically; returns {hits, pttl}. */
const HIT_SCRIPT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}`;

/**
 * Fixed-window counters shared by every instance through Redis when REDIS_URL is set (keys
 * under `<QUEUE_PREFIX>:rl:`), in process memory otherwise. If Redis fails, counting goes on in
 * memory on each instance (limits become per instance, never "no limit") until it answers again.
 *
 * Used by the REST throttler (as its storage), by login (per account) and by any door that
 * needs a limit (e.g. MCP):
 *
 * ```ts
 * const d = await rateLimiter.consume({ name: 'mcp', limit: 600, windowSec: 60 }, `key:${apiKeyId}`);
 * if (!d.allowed) reply429(d.retryAfterSec);
 * ```
 */
@Injectable()
export class RateLimiter implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimiter');
  private readonly memory = new Map<string, { hits: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly prefix: string;
  private redisFailedAt = 0;

  constructor(
    config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis: Redis | null = null,
  ) {
    this.prefix = `${config.queuePrefix}:rl:`;
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Counts one hit (or `cost`) for `key` under `policy`. */
  async consume(policy: RateLimitPolicy, key: string, cost = 1): Promise<RateLimitDecision> {
    const { hits, ttlMs } = await this.hit(`${policy.name}:${key}`, policy.windowSec * 1000, cost);
    return decision(policy, hits, ttlMs);
  }

  /** The state of `key` without counting a hit: `allowed` is false once the limit is used up. */
  async peek(policy: RateLimitPolicy, key: string): Promise<RateLimitDecision> {
    const { hits, ttlMs } = await this.hit(`${policy.name}:${key}`, policy.windowSec * 1000, 0);
    return { ...decision(policy, hits, ttlMs), allowed: hits < policy.limit };
  }

  /** Forgets `key`'s hits (e.g. after a successful login). */
  async reset(policy: RateLimitPolicy, key: string): Promise<void> {
    const k = `${policy.name}:${key}`;
    this.memory.delete(k);
    if (this.redis && !this.redisDown()) await this.redis.del(this.prefix + k).catch(() => undefined);
  }

  /** ThrottlerStorage for @nestjs/throttler: the REST guard counts through the same store. */
  async increment(key: string, ttl: number, limit: number, _block: number, throttlerName: string) {
    const { hits, ttlMs } = await this.hit(`throttle:${throttlerName}:${key}`, ttl, 1);
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    return { totalHits: hits, timeToExpire: seconds, isBlocked: hits > limit, timeToBlockExpire: seconds };
  }

  private async hit(key: string, windowMs: number, cost: number): Promise<Hits> {
    if (this.redis && !this.redisDown()) {
      try {
        const [hits, ttlMs] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, windowMs, cost)) as [
          number,
          number,
        ];
        return { hits: Number(hits), ttlMs: Number(ttlMs) };
      } catch (e) {
        this.redisFailedAt = Date.now();
        this.logger.warn(`Redis unavailable, counting in memory on this instance: ${(e as Error).message}`);
      }
    }
    return this.memoryHit(key, windowMs, cost);
  }

  /** After a Redis failure, counts stay in memory for 5 s before Redis is tried again. */
  private redisDown(): boolean {
    return Date.now() - this.redisFailedAt < 5000;
  }

  private memoryHit(key: string, windowMs: number, cost: number): Hits {
    const now = Date.now();
    let entry = this.memory.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { hits: 0, resetAt: now + windowMs };
      if (cost > 0) this.memory.set(key, entry);
    }
    entry.hits += cost;
    return { hits: entry.hits, ttlMs: entry.resetAt - now };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.memory) if (v.resetAt <= now) this.memory.delete(k);
  }
}

function decision(policy: RateLimitPolicy, hits: number, ttlMs: number): RateLimitDecision {
  return {
    allowed: hits <= policy.limit,
    limit: policy.limit,
    remaining: Math.max(0, policy.limit - hits),
    retryAfterSec: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}
