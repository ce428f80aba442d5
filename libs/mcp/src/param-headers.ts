import type { ToolDef } from './tools';

/** SEP-2243 (2026-07-28): JSON-RPC code for a routing header that disagrees with the body. */
export const HEADER_MISMATCH = -32020;

const BASE64 = /^=\?base64\?(.*)\?=$/;
const BASE64_ALPHABET = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The value an `Mcp-Param-*` header carries: `=?base64?…?=` decoded (strictly), else literal. */
export function decodeParamHeader(raw: string): string | null {
  const value = raw.trim();
  const m = BASE64.exec(value);
  if (!m) return value;
  if (!BASE64_ALPHABET.test(m[1])) return null;
  return Buffer.from(m[1], 'base64').toString('utf8');
}

/**
 * Checks the `Mcp-Param-<Header>` headers of a 2026-07-28 tools/call against its arguments, for
 * the arguments the tool mirrors into headers (`x-mcp-header` in its input schema, so gateways
 * can route without reading the body). Returns why the request must be refused, or null.
 */
export function paramHeaderMismatch(
  def: Pick<ToolDef, 'headers'>,
  args: Record<string, unknown> | undefined,
  header: (name: string) => string | undefined,
): string | null {
  for (const [arg, name] of Object.entries(def.headers ?? {})) {
    const inBody = args?.[arg];
    const raw = header(`mcp-param-${name.toLowerCase()}`);
    if (inBody === undefined || inBody === null) {
      if (raw !== undefined) return `Mcp-Param-${name} is set but the argument ${arg} is absent`;
      continue;
    }
    if (raw === undefined) return `Mcp-Param-${name} is required when the argument ${arg} is given`;
    const decoded = decodeParamHeader(raw);
    if (decoded === null) return `Mcp-Param-${name} is not valid Base64`;
    if (decoded !== String(inBody)) return `Mcp-Param-${name} does not match the argument ${arg}`;
  }
  return null;
}
