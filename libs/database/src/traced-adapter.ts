import { SpanKind, withSpan } from '@app/core';

/**
 * Database spans for both engines (pg and PGlite) at one seam: the Prisma driver adapter and the
 * raw driver. Only applied when tracing is on, so the default path has no wrapper at all. The
 * span carries the statement text (Prisma's and ours are parameterised: values never appear).
 */
const QUERY_METHODS = new Set(['queryRaw', 'executeRaw', 'executeScript', 'query', 'exec']);

type Obj = Record<string | symbol, unknown>;

function dbSpan<T>(system: string, sql: unknown, run: () => Promise<T>): Promise<T> {
  const text = typeof sql === 'string' ? sql : (sql as { sql?: string } | undefined)?.sql;
  const operation = /^\s*(\w+)/.exec(text ?? '')?.[1]?.toUpperCase() ?? 'QUERY';
  return withSpan(
    `db ${operation}`,
    {
      'db.system.name': 'postgresql',
      'db.engine': system,
      'db.operation.name': operation,
      ...(text ? { 'db.query.text': text.length > 2000 ? `${text.slice(0, 2000)}…` : text } : {}),
    },
    run,
    { kind: SpanKind.CLIENT },
  );
}

/** Wraps query methods of `target` (and of transactions/connections it hands out) in spans. */
export function traced<T extends object>(target: T, system: string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop === 'string' && QUERY_METHODS.has(prop)) {
        return (...args: unknown[]) => dbSpan(system, args[0], () => fn.apply(obj, args) as Promise<unknown>);
      }
      if (prop === 'connect' || prop === 'startTransaction' || prop === 'withConnection') {
        return async (...args: unknown[]) => {
          if (prop === 'withConnection') {
            const inner = args[0] as (conn: object) => Promise<unknown>;
            return fn.call(obj, (conn: object) => inner(traced(conn, system)));
          }
          const result = (await fn.apply(obj, args)) as Obj;
          return result && typeof result === 'object' ? traced(result, system) : result;
        };
      }
      return fn.bind(obj);
    },
  });
}
