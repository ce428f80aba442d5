import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type JSONRPCRequest,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/**
 * Where the first string or key containing a NUL character (U+0000) sits in `value`, as a
 * dotted path (`title`, `tags.0`; '' for `value` itself), or null when there is none. Postgres
 * text cannot hold NUL, so such input is refused at the door, as on REST. Iterative: the depth
 * of a message is already bounded by the transport.
 */
export function nulPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (k.includes('\u0000')) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

/** A schema failure message from the SDK (a JSON list of zod issues) as one readable line. */
export function readableIssues(message: string): string {
  try {
    const issues = JSON.parse(message) as { path?: (string | number)[]; message?: string }[];
    return issues
      .slice(0, 5)
      .map((i) => `${(i.path ?? []).join('.') || 'params'}: ${i.message ?? 'invalid'}`)
      .join('; ');
  } catch {
    return message.split('\n')[0].slice(0, 300);
  }
}

/**
 * The SDK's low-level `Server`, answering bad input with -32602 rather than -32603:
 *
 * - params that fail the method's wire schema (`resources/read` without `uri`, `prompts/get`
 *   without `name`, ...). SDK 2.4 rethrows that failure as a plain Error, which its error
 *   funnel turns into -32603 (typescript-sdk issue #2284, fix proposed in PR #2492); the
 *   failure is recognised by validating again, on the error path only.
 * - a NUL character in any string or key of the params (tools/call checks its own arguments
 *   and answers with an `isError` result, see McpServerFactory).
 */
export class StrictServer extends Server {
  protected override _wrapHandler(method: string, handler: Handler): Handler {
    const inner = super._wrapHandler(method, handler);
    const checkNul = method !== 'tools/call';
    return async (request, ctx) => {
      const nul = checkNul ? nulPath(request.params) : null;
      if (nul !== null)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params for ${method}: ${nul ? `params.${nul}` : 'params'} contains a NUL character (U+0000), which is not allowed`,
        );
      try {
        return await inner(request, ctx);
      } catch (e) {
        if (e instanceof ProtocolError) throw e;
        const invalid = this.schemaFailure(method, request);
        if (invalid)
          throw new ProtocolError(
            ProtocolErrorCode.InvalidParams,
            `Invalid params for ${method}: ${invalid}`,
          );
        throw e;
      }
    };
  }

  /** Why `request` fails the method's wire schema in the negotiated era, or null when it does not. */
  private schemaFailure(method: string, request: JSONRPCRequest): string | null {
    const codec = this._wireCodec();
    let outcome = codec.validateRequest(method, request);
    if (!outcome.ok && outcome.reason === 'not-in-era') outcome = codec.validateInputRequest(method, request);
    return !outcome.ok && outcome.reason === 'invalid' ? readableIssues(outcome.message) : null;
  }
}
