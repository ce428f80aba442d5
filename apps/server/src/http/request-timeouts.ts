import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const problem = JSON.stringify({
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  detail: 'the server could not read the request in time; retry after the time in Retry-After',
  retryAfter: 1,
});

const unavailable =
  'HTTP/1.1 503 Service Unavailable\r\n' +
  'Content-Type: application/problem+json\r\n' +
  `Content-Length: ${Buffer.byteLength(problem)}\r\n` +
  'Retry-After: 1\r\nConnection: close\r\n\r\n' +
  problem;

/** Node's own answers to the other client errors (what it writes when nobody listens). */
const nodeDefault: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
};
const badRequest = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

/**
 * A request whose headers (`headersTimeout`) or whole message (`requestTimeout`) did not arrive
 * in time gets, from Node itself, a bare 408. Under a burst that is the server being too busy to
 * read what clients sent (a 2,000-create burst on a loaded machine showed it), not slow clients:
 * so it is answered like every other overload, 503 problem+json with Retry-After, and a client
 * sees 2xx or 503, never 408. Other client errors (malformed requests) keep Node's answers.
 */
export function answerRequestTimeoutsWith503(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const message = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !message?.headersSent) {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.write(unavailable);
      else socket.write(nodeDefault[err.code ?? ''] ?? badRequest);
    }
    socket.destroy(err);
  });
}
