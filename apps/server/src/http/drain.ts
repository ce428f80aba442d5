import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

/** Idle keep-alive sockets get this long to bring one more request (answered with `Connection: close`). */
const IDLE_GRACE_MS = 250;

/**
 * Graceful HTTP shutdown with Node's own server API: stop accepting connections, answer every
 * request already received and any that still arrives on an open connection, each with
 * `Connection: close` (so keep-alive clients go elsewhere instead of reusing the connection),
 * then close the sockets left idle. Idle sockets are not cut at once, because a client may be
 * sending on one at that very moment (that request would be reset). Long-lived streams (SSE) are not waited for:
 * clients resume them elsewhere. Whatever is still running when the budget is spent is cut.
 */
export class HttpDrainer {
  private readonly inflight = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | null = null;

  constructor(private readonly server: Server) {
    server.on('request', (_req, res: ServerResponse) => {
      this.inflight.add(res);
      if (this.draining) closeAfter(res);
      res.on('close', () => {
        this.inflight.delete(res);
        if (this.draining) this.check();
      });
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Resolves when every in-flight request has been answered (true) or the budget ran out (false). */
  async drain(budgetMs: number): Promise<boolean> {
    this.draining = true;
    for (const res of this.inflight) closeAfter(res);
    // Stop listening only: http.Server#close would also cut idle keep-alive sockets right away.
    NetServer.prototype.close.call(this.server, () => undefined);
    await new Promise((r) => setTimeout(r, Math.min(IDLE_GRACE_MS, budgetMs)));
    const done = new Promise<boolean>((resolve) => {
      this.onIdle = () => resolve(true);
      this.check();
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), budgetMs);
    });
    const drained = await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.server.closeIdleConnections();
    // Streams (clients resume them elsewhere) and, over budget, everything still running: cut.
    for (const res of this.inflight) if (!drained || isStream(res)) res.socket?.destroy();
    return drained;
  }

  private check(): void {
    if (!this.onIdle) return;
    const waiting = [...this.inflight].filter((res) => !isStream(res));
    if (waiting.length === 0) {
      const resolve = this.onIdle;
      this.onIdle = null;
      resolve();
    }
  }
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

const isStream = (res: ServerResponse): boolean =>
  String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
