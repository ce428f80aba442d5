import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from '@app/core';

/**
 * The REST rate limit (RATE_LIMIT_PER_MINUTE), counted per API key or per user once the bearer
 * guard has authenticated the request, and per client IP (as TRUST_PROXY derives it) for
 * anonymous requests. Counts live in the shared RateLimiter store (Redis when configured).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const p = req.user as Principal | undefined;
    if (p?.apiKeyId) return Promise.resolve(`key:${p.apiKeyId}`);
    if (p?.userId) return Promise.resolve(`user:${p.userId}`);
    return Promise.resolve(`ip:${String(req.ip ?? '')}`);
  }
}
