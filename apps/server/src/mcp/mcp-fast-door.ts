import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { activeTraceparent } from '@app/core';
import { McpHttpService } from '@app/mcp';
import { securityHeaders } from '../http/security-headers';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MCP_PATH = /^\/mcp\/?(?:\?|$)/;

/**
 * The headers a middleware sets on every response, captured once (helmet's output does not
 * depend on the request), so that the raw door sends the same ones for the price of a loop.
 */
function headersOf(middleware: RequestHandler): [string, string | string[]][] {
  const headers: [string, string | string[]][] = [];
  const res = {
    setHeader: (name: string, value: string | string[]) => headers.push([name, value]),
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  middleware({ headers: {}, method: 'GET', url: '/' } as never, res as never, () => undefined);
  return headers;
}

/**
 * Serves /mcp straight from the HTTP server's `request` event, ahead of Express and Nest: an
 * MCP call pays for what MCP needs (the door in McpHttpService authenticates, limits and
 * validates on its own) and not for the REST stack's router, guards, interceptors, body
 * parsers and per-request pino-http child loggers. What the REST stack gave /mcp is kept:
 * the same security headers, X-Request-Id (taken from the request when sane), the trace's
 * `traceparent`, and one access-log line per request (built only when its level is enabled).
 * Every other path goes to Express unchanged.
 */
export function serveMcpAheadOfExpress(
  app: INestApplication,
  admission: (req: IncomingMessage, res: ServerResponse, go: () => void) => void = (_q, _s, go) => go(),
): void {
  const server = app.getHttpServer() as Server;
  const [express] = server.listeners('request') as RequestListener[];
  if (!express) throw new Error('the HTTP server has no request listener to put /mcp in front of');
  const mcp = app.get(McpHttpService);
  const headers = headersOf(securityHeaders());
  const clientIp = expressClientIp(app);
  const door: RequestListener = (req, res) => {
    if (!MCP_PATH.test(req.url ?? '')) return express(req, res);
    for (const [name, value] of headers) res.setHeader(name, value);
    const header = req.headers['x-request-id'];
    const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('X-Request-Id', id);
    const traceparent = activeTraceparent();
    if (traceparent) res.setHeader('traceparent', traceparent);
    // The client address as Express derives it (TRUST_PROXY), computed only if the door asks
    // (refused requests are rate-limited per address).
    Object.defineProperty(req, 'ip', { configurable: true, get: () => clientIp(req) });
    accessLog(req, res, id);
    // Overload is shed before the door reads a body or the database (503 + Retry-After).
    admission(req, res, () => void mcp.handle(req, res));
  };
  server.removeListener('request', express);
  server.prependListener('request', door);
}

/** `req.ip` of Express (its trust-proxy setting applied) for a request Express never saw. */
function expressClientIp(app: INestApplication): (req: IncomingMessage) => string | undefined {
  const express = app.getHttpAdapter().getInstance() as { request: object };
  let getter: (() => unknown) | undefined;
  for (let o: object | null = express.request; o && !getter; o = Object.getPrototypeOf(o) as object | null)
    getter = Object.getOwnPropertyDescriptor(o, 'ip')?.get;
  if (!getter) return (req) => req.socket?.remoteAddress;
  return (req) =>
    getter.call({ app: express, headers: req.headers, socket: req.socket, connection: req.socket }) as string;
}

/** One line per request when it ends, as pino-http writes for the REST routes. */
function accessLog(req: IncomingMessage, res: ServerResponse, id: string): void {
  const started = performance.now();
  res.once('close', () => {
    const logger = PinoLogger.root;
    if (!logger) return;
    const aborted = !res.writableFinished;
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        req: { id, method: req.method, url: req.url },
        res,
        responseTime: Math.round(performance.now() - started),
      },
      aborted ? 'request aborted' : 'request completed',
    );
  });
}
