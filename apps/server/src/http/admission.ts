import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionSettings } from '@app/config';
import type { MetricsService } from '@app/observability';

/** Requests that are not work for the database: probes, metrics, static files, long-lived streams. */
function exempt(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith('/api/') || path.startsWith('/oauth/')) return false;
  // MCP: POSTs are calls; GET /mcp and the legacy GET /sse are long-lived streams.
  if ((path === '/mcp' || path === '/messages') && req.method !== 'GET') return false;
  return true;
}

/** Whether a response is an event stream (headers set before, or given to writeHead). */
function isStream(res: ServerResponse, args: unknown[]): boolean {
  let type = res.getHeader('content-type');
  for (const a of args) {
    if (Array.isArray(a)) {
      // [name, value, name, value, ...] or [[name, value], ...]
      const flat = a.flat() as unknown[];
      for (let i = 0; i + 1 < flat.length; i += 2)
        if (String(flat[i]).toLowerCase() === 'content-type') type = flat[i + 1] as string;
    } else if (a && typeof a === 'object') {
      for (const [k, v] of Object.entries(a)) if (k.toLowerCase() === 'content-type') type = v as string;
    }
  }
  return String(type ?? '').startsWith('text/event-stream');
}

/**
 * Admission control in front of the API and MCP doors, so that overload is answered with 503
 * instead of work that cannot finish. At most `maxInFlight` requests are served at once (about
 * what the database pool can keep busy); the next `maxQueue` wait, oldest first, up to
 * `queueTimeoutMs`; the rest get 503 problem+json with Retry-After at once. A waiting request
 * costs nothing but its socket: its body is not read, it is not authenticated, it holds no
 * database connection. Without this, a burst makes every request take a turn at the pool, most
 * of them after their own time ran out, and nearly none succeeds; with it the process works at
 * the rate the database sustains and sheds the excess cheaply.
 *
 * A response that turns into a stream (text/event-stream) frees its slot when its headers go out.
 * Hand-written because the maintained limiters (p-limit, p-queue, async-sema) bound concurrency
 * but neither the queue nor the time spent in it.
 */
export function admissionControl(settings: AdmissionSettings, metrics?: MetricsService) {
  let inFlight = 0;
  const queue: { release: () => void; req: IncomingMessage; res: ServerResponse; timer?: NodeJS.Timeout }[] =
    [];
  let head = 0;
  const shed = metrics?.counter(
    'context_desk_http_shed_total',
    'Requests answered 503 by admission control',
    ['reason'],
  );
  const gauge = metrics?.gauge('context_desk_http_admission', 'Requests in flight and waiting', ['state']);
  if (gauge)
    Object.assign(gauge, {
      collect() {
        gauge.set({ state: 'in_flight' }, inFlight);
        gauge.set({ state: 'queued' }, queue.length - head);
      },
    });

  const refuse = (res: ServerResponse, reason: 'queue_full' | 'queue_timeout') => {
    shed?.inc({ reason });
    if (res.headersSent || res.writableEnded) return;
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'the server is at capacity; retry after the time in Retry-After',
      retryAfter: 1,
    });
    res.writeHead(503, {
      'Content-Type': 'application/problem+json',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': '1',
    });
    res.end(body);
  };

  const next = () => {
    while (head < queue.length && inFlight < settings.maxInFlight) {
      const w = queue[head++];
      if (w.timer) clearTimeout(w.timer);
      if (!w.res.writableEnded && !w.req.destroyed) w.release();
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  };

  /** Takes a slot for this response and gives it back once (finished, closed or turned stream). */
  const admit = (res: ServerResponse, go: () => void) => {
    inFlight++;
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      inFlight--;
      next();
    };
    res.once('close', free);
    res.once('finish', free);
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
      const out = writeHead.apply(this, args);
      if (isStream(this, args)) free();
      return out;
    } as typeof writeHead;
    go();
  };

  return (req: IncomingMessage, res: ServerResponse, go: () => void): void => {
    if (exempt(req)) return go();
    if (inFlight < settings.maxInFlight && head === queue.length) return admit(res, go);
    if (queue.length - head >= settings.maxQueue) return refuse(res, 'queue_full');
    const waiter: (typeof queue)[number] = { req, res, release: () => admit(res, go) };
    waiter.timer = setTimeout(() => {
      waiter.release = () => undefined;
      refuse(res, 'queue_timeout');
    }, settings.queueTimeoutMs);
    // A client that gives up while waiting leaves the queue (its entry is skipped).
    res.once('close', () => {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.release = () => undefined;
    });
    queue.push(waiter);
    next(); // a slot may be free behind entries that were given up
  };
}
