import type { Server, ServerResponse } from 'node:http';

/**
 * Graceful HTTP shutdown with Node's own server API: stop accepting connections, answer every
 * request already received (each with `Connection: close`, so keep-alive clients open a new
 * connection elsewhere instead of reusing this one), close idle keep-alive sockets at once and
 * the others as soon as their response is done. Long-lived streams (SSE) are not waited for:
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
    this.server.close(() => undefined);
    this.server.closeIdleConnections();
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
    // Streams and anything over budget: cut. Sockets that just finished: close.
    this.server.closeAllConnections();
    return drained;
  }

  private check(): void {
    if (!this.onIdle) return;
    const waiting = [...this.inflight].filter((res) => !isStream(res));
    if (waiting.length === 0) {
      const resolve = this.onIdle;
      this.onIdle = null;
      resolve();
    } else this.server.closeIdleConnections();
  }
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

const isStream = (res: ServerResponse): boolean =>
  String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
