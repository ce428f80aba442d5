import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * Idle keep-alive sockets are closed only once no request has arrived for this long: until then
 * clients are still reusing pooled connections, and each gets its answer with `Connection: close`
 * instead of a reset on a socket closed under its feet.
 */
const QUIET_MS = 300;
const POLL_MS = 25;

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
  private lastRequestAt = 0;

  constructor(private readonly server: Server) {
    server.on('request', (_req, res: ServerResponse) => {
      this.lastRequestAt = Date.now();
      this.inflight.add(res);
      if (this.draining) closeAfter(res);
      res.on('close', () => this.inflight.delete(res));
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
    const deadline = Date.now() + budgetMs;
    let drained = false;
    while (Date.now() < deadline) {
      const busy = [...this.inflight].some((res) => !isStream(res));
      if (!busy && Date.now() - this.lastRequestAt >= QUIET_MS) {
        drained = true;
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    this.server.closeIdleConnections();
    // Streams (clients resume them elsewhere) and, over budget, everything still running: cut.
    for (const res of this.inflight) if (!drained || isStream(res)) res.socket?.destroy();
    return drained;
  }
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

const isStream = (res: ServerResponse): boolean =>
  String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
