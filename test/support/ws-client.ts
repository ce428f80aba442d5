import WebSocket from 'ws';

export interface Frame {
  type: string;
  id?: number;
  topic?: string;
  event?: string;
  entityId?: string;
  data?: Record<string, unknown>;
  at?: string;
  code?: string;
  message?: string;
  [k: string]: unknown;
}

/** A real `ws` client on `/events` that records frames and lets a test wait for them. */
export class EventsClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  static async connect(
    baseUrl: string,
    token: string | null,
    via: 'header' | 'query' = 'header',
  ): Promise<EventsClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/events${token && via === 'query' ? `?access_token=${token}` : ''}`;
    const ws = new WebSocket(url, {
      headers: token && via === 'header' ? { Authorization: `Bearer ${token}` } : {},
    });
    const client = new EventsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
      ws.once('error', reject);
    });
    return client;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  events(): Frame[] {
    return this.frames.filter((f) => f.type === 'event');
  }

  /** Resolves when pred holds over the frames received so far (checked on every frame). */
  async until(pred: (c: EventsClient) => boolean, timeoutMs = 20000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; got ${this.frames.length} frames, closed=${JSON.stringify(this.closed)}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async next(type: string, timeoutMs = 10000): Promise<Frame> {
    const start = this.frames.length;
    await this.until(
      (c) => c.frames.slice(start).some((f) => f.type === type),
      timeoutMs,
      `a "${type}" frame`,
    );
    return this.frames.slice(start).find((f) => f.type === type)!;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
