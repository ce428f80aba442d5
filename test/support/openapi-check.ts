import Ajv, { type ValidateFunction } from 'ajv';
import { api, type ApiClient, type ApiResponse, type OpenApiDocument } from './http';

// Checks real REST answers against the OpenAPI document the server serves, so a response shape
// that drifts from its documented schema (a field sent but not described, a wrong type, a missing
// required field) fails the suite. The document is OpenAPI 3.0; its schemas become JSON Schema
// for Ajv here, with `additionalProperties: false` on every described object unless it says
// otherwise: an undocumented field is drift too.

type Node = Record<string, unknown>;

/** OpenAPI 3.0 schema → JSON Schema (nullable → a null type; objects closed by default). */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, example: _example, ...rest } = node as Node;
  let out: Node = Object.fromEntries(
    Object.entries(rest).map(([k, v]) =>
      // property names are not schemas, but their values are
      [k, k === 'properties' ? mapValues(v as Node, toJsonSchema) : toJsonSchema(v)],
    ),
  );
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined)
    out = { ...out, additionalProperties: false };
  if (nullable === true) {
    if (typeof out.type === 'string') {
      out = { ...out, type: [out.type, 'null'] };
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    } else out = { anyOf: [out, { type: 'null' }] };
  }
  return out;
}
const mapValues = (o: Node, f: (v: unknown) => unknown) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

export interface ResponseCheck {
  /** `GET /api/v1/tickets/{number} 200` for each answer checked. */
  checked: Set<string>;
  /** Throws, naming the route and Ajv's errors, when `res` does not match the document. */
  check(method: string, path: string, res: ApiResponse): void;
}

export function responseChecker(doc: OpenApiDocument): ResponseCheck {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema({ components: toJsonSchema(doc.components) }, 'openapi');
  const routes = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    // A literal segment outranks a parameter (/documents/{id}/versions vs /documents/{id}).
    params: (template.match(/\{/g) ?? []).length,
  }));
  const compiled = new Map<string, ValidateFunction>();
  const checked = new Set<string>();
  return {
    checked,
    check(method, path, res) {
      const pathname = new URL(path, 'http://x').pathname;
      const route = routes
        .filter((r) => r.pattern.test(pathname))
        .sort((a, b) => a.params - b.params)
        .find((r) => doc.paths[r.template][method.toLowerCase()]);
      const label = `${method.toUpperCase()} ${route?.template ?? pathname} ${res.status}`;
      if (!route) throw new Error(`${label}: no such route in the OpenAPI document`);
      const op = doc.paths[route.template][method.toLowerCase()];
      const answer = op.responses[String(res.status)] as { content?: Record<string, { schema?: unknown }> };
      if (!answer) throw new Error(`${label}: status not documented for this route`);
      const schema = Object.values(answer.content ?? {})[0]?.schema;
      if (!schema) {
        if (res.body !== null && res.body !== '' && answer.content)
          throw new Error(`${label}: a body the document does not describe`);
        checked.add(label);
        return;
      }
      let validate = compiled.get(label);
      if (!validate) {
        // $refs point into the document added above as `openapi`.
        const rebased = JSON.parse(
          JSON.stringify(toJsonSchema(schema)).replace(/"#\/components\//g, '"openapi#/components/'),
        );
        validate = ajv.compile(rebased);
        compiled.set(label, validate);
      }
      if (!validate(res.body))
        throw new Error(
          `${label}: the answer does not match the OpenAPI document:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\nbody: ${JSON.stringify(res.body).slice(0, 2000)}`,
        );
      checked.add(label);
    },
  };
}

/** A client whose every answer (typed or raw) is checked against the document before it returns. */
export function checkedClient(baseUrl: string, token: string | null, checker: ResponseCheck): ApiClient {
  const inner = api(baseUrl, token);
  const wrap =
    (method: string, fn: (path: string, ...rest: never[]) => Promise<ApiResponse>) =>
    async (path: string, ...rest: never[]) => {
      const res = await fn(path, ...rest);
      checker.check(method, path, res);
      return res;
    };
  const client = {
    token,
    raw: inner.raw,
    get: wrap('get', inner.get as never),
    post: wrap('post', inner.post as never),
    patch: wrap('patch', inner.patch as never),
    delete: wrap('delete', inner.delete as never),
    upload: wrap('post', inner.upload as never),
  };
  return client as unknown as ApiClient;
}
