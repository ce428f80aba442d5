import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

interface Route {
  transport: Transport;
  originalId: RequestId;
}

/**
 * Lets ONE long-lived server answer many per-request transports (stateless mode): the server
 * is built once and stays connected to this multiplexer; each HTTP request brings a fresh
 * stateless SDK transport that is attached for the duration of that request. Request ids are
 * rewritten to process-unique ones so that two clients' `id: 1` never collide, and replies
 * (and progress notifications) are routed back to the transport the request came from.
 */
export class StatelessMux implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  sessionId?: string = undefined;

  private seq = 0;
  private readonly routes = new Map<RequestId, Route>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.routes.clear();
    this.onclose?.();
  }

  /** Pending requests (for tests and the memory bench: must return to 0). */
  get pending(): number {
    return this.routes.size;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isReply = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    const id = isReply ? message.id : options?.relatedRequestId;
    // Notifications not tied to a request (list_changed, ...) have nobody to go to without a session.
    if (id === undefined) return;
    const route = this.routes.get(id);
    if (!route) return;
    if (isReply) {
      this.routes.delete(id);
      await route.transport.send({ ...message, id: route.originalId });
    } else {
      await route.transport.send(message, { ...options, relatedRequestId: route.originalId });
    }
  }

  /**
   * Routes one request's transport into the shared server. Returns a function that cancels
   * whatever that request still has in flight (the HTTP client went away).
   */
  attach(transport: Transport): () => void {
    const mine: RequestId[] = [];
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) {
        const id = `s${++this.seq}`;
        this.routes.set(id, { transport, originalId: message.id });
        mine.push(id);
        this.onmessage?.({ ...message, id }, extra);
      } else if (isJSONRPCNotification(message)) {
        if (message.method === 'notifications/cancelled') return; // ids are per request here
        this.onmessage?.(message, extra);
      }
      // Replies to server-initiated requests cannot arrive without a session: ignored.
    };
    return () => {
      for (const id of mine) {
        if (!this.routes.delete(id)) continue;
        this.onmessage?.({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: 'the HTTP request was closed' },
        });
      }
    };
  }
}
