import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';

/**
 * Requests whose answer depends on nothing but the request itself and the caller's scopes: the
 * definition lists (fixed once the process has started; plugins register at start-up) and the
 * 2026-07-28 discovery document. The SDK marks the same methods cacheable for clients
 * (McpServerFactory's cache hints).
 */
const REPLAYABLE = new Set(['tools/list', 'prompts/list', 'resources/templates/list', 'server/discover']);
/** Request headers the SDK's answer can depend on (validation, era, routing headers). */
const KEYED_HEADERS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name'];

interface Answer {
  status: number;
  headers: [string, string][];
  /** The JSON body up to the request id, and what follows it. */
  head: Buffer;
  tail: Buffer;
}

/**
 * The SDK's own answers to list requests, kept and replayed with the next request's id. A
 * 16-tool list with its schemas is ~37 KB of JSON: without this, each `tools/list` builds a
 * server instance, a web Request and Response, and serializes and encodes the whole list again
 * (the largest share of that call's CPU in the profile, bench/README.md). The first request of
 * each kind goes through the SDK unchanged and its answer is kept only when it is a 200 JSON
 * body ending in the request's id; the key holds everything else the answer may depend on (the
 * scope set, the era, the headers above and the request without its id), so a replay is
 * byte-for-byte what the SDK would have sent.
 */
export class ListAnswerCache {
  private readonly answers = new LRUCache<string, Answer>({ max: 512 });

  /** The key of a request this cache may answer, or null. */
  keyOf(req: IncomingMessage, body: unknown, route: string, scopeSet: string): string | null {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const { id, method, ...rest } = body as { id?: unknown; method?: unknown };
    if (typeof method !== 'string' || !REPLAYABLE.has(method)) return null;
    if (typeof id !== 'number' && typeof id !== 'string') return null;
    const headers = KEYED_HEADERS.map((h) => req.headers[h] ?? '');
    return JSON.stringify([route, scopeSet, method, rest, headers]);
  }

  /** Answers from the cache; false when there is nothing kept for `key`. */
  replay(key: string, id: string | number, res: ServerResponse): boolean {
    const a = this.answers.get(key);
    if (!a) return false;
    // The kept buffers go out as they are (one writev): no per-answer copy of ~37 KB.
    send(res, a.status, a.headers, [a.head, JSON.stringify(id), a.tail]);
    return true;
  }

  /** Writes the SDK's `answer` to `res`, keeping it under `key` when it can be replayed. */
  async pass(key: string, id: string | number, answer: Response, res: ServerResponse): Promise<void> {
    const headers: [string, string][] = [];
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length') headers.push([name, value]);
    });
    const text = await answer.text();
    const ending = `"id":${JSON.stringify(id)}}`;
    if (
      answer.status === 200 &&
      answer.headers.get('content-type')?.startsWith('application/json') &&
      text.endsWith(ending)
    ) {
      const cut = text.length - ending.length + '"id":'.length;
      this.answers.set(key, {
        status: 200,
        headers,
        head: Buffer.from(text.slice(0, cut)),
        tail: Buffer.from('}'),
      });
    }
    send(res, answer.status, headers, [text]);
  }

  get size(): number {
    return this.answers.size;
  }
}

/** One answer with its length, its parts written together. */
function send(res: ServerResponse, status: number, headers: [string, string][], parts: (Buffer | string)[]) {
  for (const [name, value] of headers) res.setHeader(name, value);
  res.setHeader(
    'Content-Length',
    parts.reduce((n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : p.length), 0),
  );
  res.writeHead(status);
  res.cork();
  for (const p of parts.slice(0, -1)) res.write(p);
  res.end(parts[parts.length - 1]);
}
