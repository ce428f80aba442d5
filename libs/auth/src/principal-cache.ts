import { createHash } from 'node:crypto';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Channel, Principal } from '@app/core';
import { AuthService } from './auth.service';
import { PrincipalRevocations, revocationAffects, type PrincipalRevocation } from './principal-revocations';

/** Longest a cached principal is trusted without asking the database again. */
export const PRINCIPAL_CACHE_TTL_MS = 30_000;
const PRINCIPAL_CACHE_MAX = 10_000;

/** Seconds-since-epoch expiry of a JWT (unverified: only used to shorten a cache entry). */
function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const exp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * `AuthService.authenticate` with a bounded cache in front, keyed by the SHA-256 of the token
 * (the token itself is never kept as a key). An entry lives at most PRINCIPAL_CACHE_TTL_MS and
 * never past a JWT's expiry; a revocation (PrincipalRevocations: a user changed or a key was
 * revoked, read from the outbox on every instance) drops the entries it concerns at once.
 * Failed authentications are not cached.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new LRUCache<string, Principal>({
    max: PRINCIPAL_CACHE_MAX,
    ttl: PRINCIPAL_CACHE_TTL_MS,
    ttlAutopurge: false,
  });
  private readonly listeners = new Set<(r: PrincipalRevocation) => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly revocations: PrincipalRevocations,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.revocations.subscribe((r) => {
      this.forget(r);
      for (const l of this.listeners) l(r);
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  async authenticate(token: string, channel: Channel): Promise<Principal> {
    const key = `${channel} ${createHash('sha256').update(token).digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const principal = await this.auth.authenticate(token, channel);
    const exp = jwtExpiry(token);
    const ttl = exp === null ? PRINCIPAL_CACHE_TTL_MS : Math.min(PRINCIPAL_CACHE_TTL_MS, exp - Date.now());
    // OAuth tokens are revoked in the authorization server's own tables (no outbox event reaches
    // this cache), so they are checked on every request: revoking a connected app takes effect at once.
    if (ttl > 0 && !principal.oauthClientId) this.cache.set(key, principal, { ttl });
    return principal;
  }

  /** Drops the cached principals a revocation concerns (a user's, including their keys; or one key). */
  forget(r: PrincipalRevocation): void {
    for (const [key, p] of this.cache.entries()) if (revocationAffects(r, p)) this.cache.delete(key);
  }

  /**
   * Revocations, delivered after the cache dropped what they concern (so a door that
   * re-authenticates a stream in the listener sees the new state).
   */
  onRevocation(listener: (r: PrincipalRevocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.cache.size;
  }
}
