import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTracing, type TracingHandle } from '@app/observability';
import { mcpProtocolEra, recordMcpOutcome, traceMcpRequest } from './tracing';

// The MCP span helper on the real SDK (startTracing with a test span processor), its spans read
// back from an in-memory exporter.
const tracer = trace.getTracer('tracing-spec');

describe('MCP spans (traceMcpRequest)', () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  let handle: TracingHandle;
  beforeAll(() => {
    handle = startTracing({ tracing: null }, { spanProcessors: [processor] })!;
  });
  afterAll(() => handle.shutdown());
  beforeEach(() => exporter.reset());

  const call = (name: string, args: unknown, meta?: Record<string, unknown>) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
  });
  // The SDK exports after its (asynchronous) resource detection settles.
  const finished = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  const only = async (name: string): Promise<ReadableSpan> => {
    const spans = (await finished()).filter((s) => s.name === name);
    expect(spans).toHaveLength(1);
    return spans[0];
  };
  const secret = { query: 'the customer password is hunter2' };

  it('names the span by method and tool and records no argument values by default', async () => {
    const out = await traceMcpRequest(call('search_knowledge', secret), '2025-11-25', false, async () => {
      recordMcpOutcome('success');
      return 42;
    });
    expect(out).toBe(42);
    const span = await only('mcp tools/call search_knowledge');
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'search_knowledge',
      'mcp.protocol.era': '2025-11-25',
      'mcp.tool.outcome': 'success',
    });
    expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(JSON.stringify(span.attributes)).not.toContain('hunter2');
  });

  it('records the arguments with TRACE_RECORD_ARGUMENTS (recordArguments)', async () => {
    await traceMcpRequest(call('search_knowledge', secret), '2025-11-25', true, async () => undefined);
    const span = await only('mcp tools/call search_knowledge');
    expect(JSON.parse(String(span.attributes['gen_ai.tool.call.arguments']))).toEqual(secret);
  });

  it('names resource reads and prompts by their own attributes', async () => {
    const read = { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'kb://doc/x' } };
    const prompt = { jsonrpc: '2.0', id: 3, method: 'prompts/get', params: { name: 'triage_ticket' } };
    await traceMcpRequest(read, '2026-07-28', false, async () => undefined);
    await traceMcpRequest(prompt, '2026-07-28', false, async () => undefined);
    expect((await only('mcp resources/read')).attributes['mcp.resource.uri']).toBe('kb://doc/x');
    expect((await only('mcp prompts/get triage_ticket')).attributes['gen_ai.prompt.name']).toBe(
      'triage_ticket',
    );
  });

  it('carries the protocol era of each door', async () => {
    const eras = [
      ['legacy SSE', '2024-11-05'],
      ['2025 session', mcpProtocolEra(false, '2025-06-18')],
      ['2025 initialize (no header)', mcpProtocolEra(false, undefined)],
      ['2025 with a junk header', mcpProtocolEra(false, 'x'.repeat(500))],
      ['2026 envelope', mcpProtocolEra(true, '2025-06-18')],
    ] as const;
    for (const [, era] of eras)
      await traceMcpRequest({ jsonrpc: '2.0', id: 1, method: 'ping' }, era, false, async () => undefined);
    expect((await finished()).map((s) => s.attributes['mcp.protocol.era'])).toEqual([
      '2024-11-05',
      '2025-06-18',
      '2025-11-25',
      '2025-11-25',
      '2026-07-28',
    ]);
  });

  it("takes a 2026-07-28 request's _meta.traceparent as the parent and links the HTTP span", async () => {
    const metaTrace = '0af7651916cd43dd8448eb211c80319c';
    const metaParent = 'b7ad6b7169203331';
    const http = tracer.startSpan('http POST /mcp');
    await context.with(trace.setSpan(context.active(), http), () =>
      traceMcpRequest(
        call('whoami', {}, { traceparent: `00-${metaTrace}-${metaParent}-01` }),
        '2026-07-28',
        false,
        async () => {
          // Work inside (SQL, ...) nests under the MCP span.
          tracer.startSpan('db SELECT').end();
        },
      ),
    );
    http.end();
    const span = await only('mcp tools/call whoami');
    expect(span.spanContext().traceId).toBe(metaTrace);
    expect(span.parentSpanContext?.spanId).toBe(metaParent);
    expect(span.links.map((l) => l.context.spanId)).toEqual([http.spanContext().spanId]);
    const db = await only('db SELECT');
    expect(db.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    expect(db.spanContext().traceId).toBe(metaTrace);
  });

  it('without _meta.traceparent the span is a child of the HTTP span, with no link', async () => {
    const http = tracer.startSpan('http POST /mcp');
    await context.with(trace.setSpan(context.active(), http), () =>
      traceMcpRequest(call('whoami', {}), '2025-11-25', false, async () => undefined),
    );
    http.end();
    const span = await only('mcp tools/call whoami');
    expect(span.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(span.links).toEqual([]);
  });

  it('marks the span as an error when the request throws, and ends it', async () => {
    await expect(
      traceMcpRequest(call('whoami', {}), '2025-11-25', false, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const span = await only('mcp tools/call whoami');
    expect(span.status.code).toBe(2 /* ERROR */);
    expect(span.ended).toBe(true);
  });
});
