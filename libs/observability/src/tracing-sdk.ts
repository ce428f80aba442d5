import type { IncomingMessage } from 'node:http';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '@app/config';
import { markTracingEnabled } from '@app/core';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

/** Paths whose requests are not worth a trace (probes, scrapes, static admin files). */
const UNTRACED = /^\/(health\/|metrics|admin\/assets\/)/;

/**
 * Starts the OpenTelemetry Node SDK when the configuration asks for tracing (an OTLP endpoint or
 * exporter in the standard OTEL_* variables) or a test passes its own span processor. The SDK
 * reads the standard variables itself (endpoint, headers, protocol, sampler, resource). Loaded
 * lazily: with tracing off nothing of the SDK is required and no tracer provider is registered.
 * Call before the HTTP server is created, so the http instrumentation sees every request.
 */
export function startTracing(
  config: Pick<AppConfig, 'tracing'>,
  opts: { spanProcessors?: SpanProcessor[] } = {},
): TracingHandle | null {
  if (!config.tracing && !opts.spanProcessors) return null;
  // The module's own `require` (not createRequire): under Jest it is the test's module registry,
  // so a spec's @opentelemetry/api sees the provider registered here (a native require would
  // register it on another global).
  const load = require;
  const { NodeSDK } = load('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = load(
    '@opentelemetry/instrumentation-http',
  ) as typeof import('@opentelemetry/instrumentation-http');
  const sdk = new NodeSDK({
    serviceName: config.tracing?.serviceName ?? 'context-desk',
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED.test(req.url ?? ''),
        // Outgoing calls we make ourselves (webhooks) get their own spans.
        ignoreOutgoingRequestHook: () => false,
      }),
    ],
  });
  sdk.start();
  // The http instrumentation patches `http` when it is next required; Nest may have imported it
  // already as an ES module, which bypasses the hook. Requiring it here patches the shared
  // module object (Server.prototype.emit, request), so servers created earlier are covered too.
  load('node:http');
  load('node:https');
  markTracingEnabled(true);
  return {
    async shutdown() {
      markTracingEnabled(false);
      await sdk.shutdown();
    },
  };
}
