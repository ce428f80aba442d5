import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';

/** Deepest JSON nesting accepted in an MCP message (arguments included). */
export const MCP_MAX_JSON_DEPTH = 64;

export type BodyRead =
  | { ok: true; body: unknown }
  | { ok: false; status: number; code: number; message: string; headers?: Record<string, string> };

/** Nesting depth of a JSON text, not counting brackets inside strings; stops past `max`. */
export function jsonDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/**
 * Reads a POST body on /mcp: at most `maxBytes` whether declared (Content-Length) or chunked
 * (413 past it, without buffering the rest), JSON (-32700 otherwise), nested at most
 * MCP_MAX_JSON_DEPTH deep (-32600), never more work than the byte limit allows.
 */
export async function readMcpBody(
  req: IncomingMessage & { body?: unknown },
  maxBytes: number,
): Promise<BodyRead> {
  let text: string;
  try {
    text = await getRawBody(req, {
      limit: maxBytes,
      length: req.headers['content-length'],
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { status?: number; type?: string; message: string };
    if (err.status === 413 || err.type === 'entity.too.large')
      return {
        ok: false,
        status: 413,
        code: -32000,
        message: `Request body exceeds ${maxBytes} bytes`,
        headers: { Connection: 'close' },
      };
    return {
      ok: false,
      status: 400,
      code: -32700,
      message: `Parse error: the request body could not be read (${err.message})`,
    };
  }
  if (jsonDepth(text, MCP_MAX_JSON_DEPTH) > MCP_MAX_JSON_DEPTH)
    return {
      ok: false,
      status: 400,
      code: -32600,
      message: `Invalid Request: JSON nested deeper than ${MCP_MAX_JSON_DEPTH} levels`,
    };
  try {
    return { ok: true, body: text.length === 0 ? undefined : JSON.parse(text) };
  } catch {
    return {
      ok: false,
      status: 400,
      code: -32700,
      message: 'Parse error: the request body is not valid JSON',
    };
  }
}
