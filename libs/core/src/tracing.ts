import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

/**
 * Tracing primitives for every lib, on the OpenTelemetry API only. The SDK (exporters,
 * instrumentations) is started by the process entry points when OTEL_* settings ask for it
 * (libs/observability `startTracing`); until then the API is a no-op and these helpers cost a
 * flag check. Spans never carry argument values unless the debug setting says so.
 */
let enabled = false;

export function markTracingEnabled(on: boolean): void {
  enabled = on;
}

export function tracingEnabled(): boolean {
  return enabled;
}

export const tracer = () => trace.getTracer('context-desk');

export { SpanKind };

/**
 * Runs fn inside a new active span (child of the current context or of `parent`), records an
 * exception and an error status when it throws, and ends the span either way. With tracing off
 * it just calls fn.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
  opts: { kind?: SpanKind; parent?: Context; links?: Link[] } = {},
): Promise<T> {
  if (!enabled) return fn(null);
  return tracer().startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes, links: opts.links },
    opts.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (e) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
        throw e;
      } finally {
        span.end();
      }
    },
  );
}

/** The W3C `traceparent` of the active span, to store with work that runs later (jobs, events). */
export function currentTraceparent(): string | null {
  if (!enabled) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** A context whose parent is the given `traceparent` (and `tracestate`), or the active one. */
export function contextFromTraceparent(traceparent: unknown, tracestate?: unknown): Context {
  if (!enabled || typeof traceparent !== 'string') return context.active();
  const carrier: Record<string, string> = { traceparent };
  if (typeof tracestate === 'string') carrier.tracestate = tracestate;
  return propagation.extract(context.active(), carrier);
}

/** Trace and span id of the active span, for log lines and problem details. */
export function activeTraceIds(): { traceId: string; spanId: string } | null {
  if (!enabled) return null;
  const span = trace.getActiveSpan();
  if (!span) return null;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * The W3C `traceparent` naming the active span, to return to the caller. Its flags are the
 * span's own (`-00` when the sampler dropped the trace), so a caller never believes an
 * unsampled trace was recorded.
 */
export function activeTraceparent(): string | null {
  if (!enabled) return null;
  const span = trace.getActiveSpan();
  if (!span) return null;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
