import type { ServerResponse } from 'node:http';

/**
 * Open 2026-07-28 `subscriptions/listen` streams, counted per principal and in total on this
 * instance (the same caps as 2025-era sessions: MCP_MAX_SESSIONS_PER_PRINCIPAL and
 * MCP_MAX_SESSIONS). A stream holds its slot until its response closes. Unlike an idle
 * session, an open stream is in use, so nothing is evicted: past a cap the listen is refused.
 */
export class ListenSlots {
  private readonly byPrincipal = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perPrincipal: number,
    private readonly max: number,
  ) {}

  /**
   * Takes a slot for `res` (given back when it closes), or says which cap is full.
   * `res` must not have closed yet: the door calls this before handing it to the SDK.
   */
  take(
    key: string,
    res: ServerResponse,
  ): { ok: true } | { ok: false; scope: 'principal' | 'instance'; cap: number } {
    const mine = this.byPrincipal.get(key) ?? 0;
    if (mine >= this.perPrincipal) return { ok: false, scope: 'principal', cap: this.perPrincipal };
    if (this.total >= this.max) return { ok: false, scope: 'instance', cap: this.max };
    this.byPrincipal.set(key, mine + 1);
    this.total++;
    res.once('close', () => {
      this.total--;
      const n = (this.byPrincipal.get(key) ?? 1) - 1;
      if (n > 0) this.byPrincipal.set(key, n);
      else this.byPrincipal.delete(key);
    });
    return { ok: true };
  }

  /** Open listen streams of one principal (or all, without a key). */
  count(key?: string): number {
    return key === undefined ? this.total : (this.byPrincipal.get(key) ?? 0);
  }
}
