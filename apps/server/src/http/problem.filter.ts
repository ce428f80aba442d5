import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import {
  activeTraceIds,
  DomainError,
  InvalidError,
  RateLimitedError,
  isUnavailableError,
  retryAfterSeconds,
  type FieldError,
} from '@app/core';

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  invalid: 400,
  unauthorized: 401,
  rate_limited: 429,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Body-parser errors carry a `type` and a status. */
interface ParserError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/**
 * Maps every error raised behind the REST door to application/problem+json: domain errors,
 * validation errors (with an `errors` list naming each field), malformed bodies, rate limits.
 * Unknown errors become a generic 500; their stack goes to the log, never to the client.
 */
export function toProblem(exception: unknown, instance?: string): Problem {
  if (exception instanceof DomainError) {
    const status = DOMAIN_STATUS[exception.kind];
    const { errors, ...details } = exception.details as { errors?: FieldError[] };
    return {
      type: `urn:context-desk:problem:${exception.kind}`,
      title: TITLES[status],
      status,
      detail: exception.message,
      instance,
      ...details,
      ...(exception instanceof InvalidError ? { errors: exception.errors } : errors ? { errors } : {}),
    };
  }
  if (isUnavailableError(exception)) {
    return {
      ...problem(
        503,
        'the service is overloaded or its database is unavailable; retry after the time in Retry-After',
        instance,
      ),
      retryAfter: retryAfterSeconds(exception),
    };
  }
  if (exception instanceof ThrottlerException) {
    return problem(429, 'too many requests; slow down and retry after the time in Retry-After', instance);
  }
  if (exception instanceof HttpException && exception.cause) {
    // Express/body-parser errors arrive wrapped; describe them from the original error.
    const wrapped = parserProblem(exception.cause as ParserError, instance);
    if (wrapped) return wrapped;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? (response as { message: string[] }).message.join('; ')
          : String((response as { message?: unknown }).message ?? exception.message);
    return problem(
      status,
      status === 404 && message.startsWith('Cannot ') ? `no route for ${message.slice(7)}` : message,
      instance,
    );
  }
  const parser = exception as ParserError;
  const mapped = parserProblem(parser, instance);
  if (mapped) return mapped;
  const status = parser?.status ?? parser?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return problem(status, TITLES[status] ?? 'Bad Request', instance);
  return problem(500, 'an unexpected error occurred; it has been logged', instance);
}

function parserProblem(parser: ParserError | undefined, instance?: string): Problem | null {
  switch (parser?.type) {
    case 'entity.parse.failed':
      return problem(400, 'the request body is not valid JSON', instance);
    case 'entity.too.large':
      return problem(413, 'the request body is too large', instance);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'unsupported request encoding', instance);
    default:
      return null;
  }
}

function problem(status: number, detail: string, instance?: string): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
    status,
    detail,
    instance,
  };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const body = toProblem(exception, req.originalUrl?.split('?')[0]);
    const trace = activeTraceIds();
    if (trace) body.traceId = trace.traceId;
    if (body.status === 503) this.logger.warn(`503: ${(exception as Error)?.message?.split('\n')[0]}`);
    else if (body.status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (res.headersSent) return;
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="context-desk"');
    if (exception instanceof RateLimitedError) res.setHeader('Retry-After', String(exception.retryAfterSec));
    if (body.status === 503) res.setHeader('Retry-After', String(body.retryAfter ?? 5));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}
