import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { answerRequestTimeoutsWith503 } from './request-timeouts';

/** Sends `raw` on a new connection and returns everything the server wrote until it closed. */
async function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', (e) => (got ? resolve(got) : reject(e)));
  });
}

describe('answerRequestTimeoutsWith503', () => {
  // Timeouts checked every 50 ms; headers must arrive within 200 ms.
  const server = createServer(
    { connectionsCheckingInterval: 50, headersTimeout: 200, requestTimeout: 400 },
    (_req, res) => res.end('ok'),
  );
  let port = 0;
  beforeAll(async () => {
    answerRequestTimeoutsWith503(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers a request whose headers never complete with 503 problem+json and Retry-After, not 408', async () => {
    const got = await exchange(port, 'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n');
    expect(got).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(got).toContain('Retry-After: 1\r\n');
    expect(got).toContain('Content-Type: application/problem+json\r\n');
    expect(JSON.parse(got.split('\r\n\r\n')[1])).toMatchObject({ status: 503 });
  });

  it('keeps Node answers for malformed requests, and serves good ones', async () => {
    expect(await exchange(port, 'NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const ok = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(ok).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
