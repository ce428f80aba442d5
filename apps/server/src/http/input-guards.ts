import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Nesting of JSON request bodies on REST (arrays and objects). */
export const MAX_JSON_DEPTH = 64;

function refuse(res: Response, req: Request, detail: string, field?: string): void {
  res
    .status(400)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail,
        instance: req.originalUrl.split('?')[0],
        ...(field ? { errors: [{ field, message: detail }] } : {}),
      }),
    );
}

/** The first problem of a parsed JSON value: too deep, or a NUL character in a key or string. */
export function jsonProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): { path: string; detail: string } | null {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { path, detail: 'NUL characters are not allowed' };
    } else if (v && typeof v === 'object') {
      if (depth >= maxDepth) return { path, detail: `JSON nests deeper than ${maxDepth} levels` };
      for (const [k, c] of Object.entries(v)) {
        if (k.includes('\u0000')) return { path, detail: 'NUL characters are not allowed' };
        stack.push([c, depth + 1, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}

/**
 * REST input guards, before routing: a NUL byte anywhere in the URL (path or query) and JSON
 * bodies nested deeper than {@link MAX_JSON_DEPTH} or carrying NUL characters get a 400
 * problem+json (Postgres text cannot hold NUL, and deep nesting overflows recursive validators).
 */
export function restInputGuards(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/')) return next();
    if (/%00/i.test(req.originalUrl) || req.originalUrl.includes('\u0000'))
      return refuse(res, req, 'NUL characters are not allowed in the URL');
    if (req.body !== undefined && typeof req.body === 'object') {
      const p = jsonProblem(req.body);
      if (p) return refuse(res, req, p.detail, p.path || undefined);
    }
    next();
  };
}
