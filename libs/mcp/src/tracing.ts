import { trace, type Attributes, type Link } from '@opentelemetry/api';
import { contextFromTraceparent, SpanKind, tracingEnabled, withSpan } from '@app/core';

interface RpcMessage {
  method?: unknown;
  params?: { name?: unknown; uri?: unknown; arguments?: unknown; _meta?: Record<string, unknown> };
}

const REVISION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The `mcp.protocol.era` of a request on /mcp: 2026-07-28 for the per-request envelope, else the
 * 2025-era revision its MCP-Protocol-Version header names (2025-11-25 when it has none, as on
 * `initialize`, or when the header is not a revision date: a client's text is never copied).
 * The legacy SSE door is always 2024-11-05.
 */
export function mcpProtocolEra(modern: boolean, versionHeader: string | undefined): string {
  if (modern) return '2026-07-28';
  return versionHeader && REVISION.test(versionHeader) ? versionHeader : '2025-11-25';
}

/**
 * One span per MCP request (`mcp tools/call`, `mcp resources/read`, ...), named by the OpenTelemetry
 * MCP conventions: method, tool or prompt name, resource URI, protocol era, outcome. Argument values
 * are recorded only with TRACE_RECORD_ARGUMENTS. A `traceparent` in the request's `_meta` (where
 * 2026-07-28 clients carry it) becomes the parent; the HTTP span is then linked, not lost.
 */
export function traceMcpRequest<T>(
  body: unknown,
  era: string,
  recordArguments: boolean,
  run: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return run();
  const msg = (Array.isArray(body) ? body[0] : body) as RpcMessage | undefined;
  const method = typeof msg?.method === 'string' ? msg.method : Array.isArray(body) ? 'batch' : 'stream';
  const target =
    typeof msg?.params?.name === 'string'
      ? msg.params.name
      : typeof msg?.params?.uri === 'string'
        ? msg.params.uri
        : undefined;
  const attributes: Attributes = {
    'mcp.method.name': method,
    'mcp.protocol.era': era,
    ...(method === 'tools/call' && target ? { 'gen_ai.tool.name': target } : {}),
    ...(method === 'prompts/get' && target ? { 'gen_ai.prompt.name': target } : {}),
    ...(method === 'resources/read' && target ? { 'mcp.resource.uri': target } : {}),
    ...(recordArguments && msg?.params?.arguments !== undefined
      ? { 'gen_ai.tool.call.arguments': JSON.stringify(msg.params.arguments).slice(0, 4096) }
      : {}),
  };
  const meta = msg?.params?._meta;
  const httpSpan = trace.getActiveSpan();
  const links: Link[] = [];
  let parent;
  if (typeof meta?.traceparent === 'string') {
    parent = contextFromTraceparent(meta.traceparent, meta.tracestate);
    if (httpSpan) links.push({ context: httpSpan.spanContext() });
  }
  return withSpan(
    `mcp ${method}${target && method !== 'resources/read' ? ` ${target}` : ''}`,
    attributes,
    run,
    {
      kind: SpanKind.SERVER,
      parent,
      links,
    },
  );
}

/** Marks the active MCP span with how a tool call ended (success, error, denied). */
export function recordMcpOutcome(outcome: string): void {
  if (!tracingEnabled()) return;
  trace.getActiveSpan()?.setAttribute('mcp.tool.outcome', outcome);
}
