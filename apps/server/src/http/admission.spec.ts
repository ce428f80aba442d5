import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admissionControl } from './admission';

/** A real HTTP server whose API handler answers only when the test releases it. */
function serverWith(settings: { maxInFlight: number; maxQueue: number; queueTimeoutMs: number }) {
  const admit = admissionControl(settings);
  const held: ServerResponse[] = [];
  let served = 0;
  const server: Server = createServer((req, res) =>
    admit(req, res, () => {
      served++;
      if (req.url === '/api/hold') held.push(res);
      else res.end('done');
    }),
  );
  return {
    server,
    held,
    served: () => served,
    async listen() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
}

describe('admission control', () => {
  it('serves up to the limit, queues the next ones, answers 503 with Retry-After beyond the queue, and admits in order as slots free', async () => {
    const s = serverWith({ maxInFlight: 1, maxQueue: 1, queueTimeoutMs: 600_000 });
    const url = await s.listen();
    try {
      const first = fetch(`${url}/api/hold`);
      await waitFor(() => s.held.length === 1);
      const queued = fetch(`${url}/api/next`);
      await new Promise((r) => setTimeout(r, 100));
      const refused = await fetch(`${url}/api/extra`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
      expect(s.served()).toBe(1); // the queued one waits for the slot

      // Exempt paths (health probes) are never queued behind the API.
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);

      s.held[0].end('first');
      expect(await (await first).text()).toBe('first');
      const next = await queued;
      expect(next.status).toBe(200);
      expect(await next.text()).toBe('done');
    } finally {
      s.held.forEach((r) => r.end());
      s.server.closeAllConnections();
      s.server.close();
    }
  });

  it('answers 503 to a request that waited longer than the queue timeout, and a stream frees its slot', async () => {
    const s = serverWith({ maxInFlight: 1, maxQueue: 10, queueTimeoutMs: 200 });
    const url = await s.listen();
    try {
      const first = fetch(`${url}/api/hold`);
      await waitFor(() => s.held.length === 1);
      const waited = await fetch(`${url}/api/next`);
      expect(waited.status).toBe(503);
      expect(waited.headers.get('retry-after')).toBe('1');
      expect(s.served()).toBe(1);

      // The held response becomes an event stream: it no longer counts as work in flight.
      s.held[0].writeHead(200, { 'Content-Type': 'text/event-stream' });
      s.held[0].write('data: hello\n\n');
      const after = await fetch(`${url}/api/next`);
      expect(after.status).toBe(200);
      s.held[0].end();
      await first;
    } finally {
      s.held.forEach((r) => r.end());
      s.server.closeAllConnections();
      s.server.close();
    }
  });
});
