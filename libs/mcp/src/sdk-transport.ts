import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** The parts of the SDK 1.32 web-standard transport this file reaches into (checked at start). */
interface WebTransportInternals {
  _enableJsonResponse: boolean;
  _streamMapping: Map<string, { resolveJson?: unknown }>;
  _requestToStreamMapping: Map<RequestId, string>;
  _initialized: boolean;
  sessionId?: string;
  handleRequest(req: Request, opts?: { parsedBody?: unknown }): Promise<Response>;
  send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void>;
}

const internals = (t: StreamableHTTPServerTransport): WebTransportInternals =>
  (t as unknown as { _webStandardTransport: WebTransportInternals })._webStandardTransport;

const messagesOf = (body: unknown): unknown[] =>
  Array.isArray(body) ? body : body === undefined ? [] : [body];

/**
 * A POST is answered with plain JSON unless one of its requests asked for progress (a
 * progressToken): then it needs an SSE stream for the notifications before the result.
 */
export function wantsStream(body: unknown): boolean {
  return messagesOf(body).some(
    (m) =>
      isJSONRPCRequest(m as JSONRPCMessage) &&
      (m as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta?.progressToken !== undefined,
  );
}

export function requestIdsOf(body: unknown): RequestId[] {
  return messagesOf(body)
    .filter((m) => isJSONRPCRequest(m as JSONRPCMessage))
    .map((m) => (m as { id: RequestId }).id);
}

/**
 * A session transport that answers each POST with JSON or SSE as that request needs, and that
 * does not keep an entry per answered JSON request.
 *
 * SDK 1.32.2 (typescript-sdk #2559): in JSON-response mode `send()` resolves the pending HTTP
 * response but never deletes its `_streamMapping` entry, so a stateful server grows by one
 * entry (~6 KiB with the closures it holds) per request. We delete the entry once every
 * request of that POST has been answered, and also when the client goes away before an answer
 * (a cancelled request is never answered).
 */
export function createSessionTransport(opts: {
  sessionId: string;
  eventStore: EventStore;
  onsessionclosed: (id: string) => void;
}): StreamableHTTPServerTransport & { releaseJson(ids: RequestId[]): void } {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => opts.sessionId,
    eventStore: opts.eventStore,
    onsessionclosed: opts.onsessionclosed,
    retryInterval: 1000,
  });
  const web = internals(transport);
  if (
    !(web._streamMapping instanceof Map) ||
    !(web._requestToStreamMapping instanceof Map) ||
    typeof web._enableJsonResponse !== 'boolean'
  ) {
    throw new Error('MCP SDK transport internals changed: review libs/mcp/src/sdk-transport.ts');
  }
  const handle = web.handleRequest.bind(web);
  const send = web.send.bind(web);
  const pendingOn = (streamId: string) => {
    for (const s of web._requestToStreamMapping.values()) if (s === streamId) return true;
    return false;
  };
  // Both assignments run synchronously right before the SDK reads the flag (no await between).
  web.handleRequest = (req, o) => {
    web._enableJsonResponse = req.method === 'POST' && !wantsStream(o?.parsedBody);
    return handle(req, o);
  };
  web.send = async (message, options) => {
    const reply = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    const id = reply ? message.id : options?.relatedRequestId;
    const streamId = id === undefined ? undefined : web._requestToStreamMapping.get(id);
    const json = streamId !== undefined && web._streamMapping.get(streamId)?.resolveJson !== undefined;
    if (id !== undefined) web._enableJsonResponse = json;
    await send(message, options);
    if (json && reply && !pendingOn(streamId!)) web._streamMapping.delete(streamId!);
  };
  return Object.assign(transport, {
    releaseJson(ids: RequestId[]) {
      for (const id of ids) {
        const streamId = web._requestToStreamMapping.get(id);
        if (streamId === undefined || web._streamMapping.get(streamId)?.resolveJson === undefined) continue;
        web._requestToStreamMapping.delete(id);
        if (!pendingOn(streamId)) web._streamMapping.delete(streamId);
      }
    },
  });
}

/** Re-opens a session known from the database on a new transport (another instance, or after a restart). */
export function markInitialized(transport: StreamableHTTPServerTransport, sessionId: string): void {
  const web = internals(transport);
  web.sessionId = sessionId;
  web._initialized = true;
}

/** Sizes of the transport's internal maps (the memory bench and tests check they stay flat). */
export function transportMapSizes(transport: StreamableHTTPServerTransport): {
  streams: number;
  requests: number;
} {
  const web = internals(transport);
  return { streams: web._streamMapping.size, requests: web._requestToStreamMapping.size };
}
