import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import type { AppConfig } from '@app/config';

export function buildOpenApi(app: INestApplication, config: AppConfig): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('Context Desk API')
    .setDescription(
      'Admin REST API of Context Desk: knowledge base, tickets, users, API keys, change events and audit. ' +
        'Authenticate with `Authorization: Bearer <JWT from /api/v1/auth/login or an API key>`. ' +
        'Errors are RFC 9457 application/problem+json. Lists take `limit` (max 100) and an opaque `cursor`. ' +
        'Writes take `If-Match: <version>` and answer 409 on a stale version.',
    )
    .setVersion('1')
    .addServer(config.publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'JWT or API key (cdk_…)' })
    .build();
  // Schemas derived from the domain's zod shapes become named components (Ticket, UserRef, ...).
  return refNamedShapes(nullableTo30(cleanupOpenApiDoc(SwaggerModule.createDocument(app, doc))));
}

type Schema = Record<string, unknown>;

/**
 * nestjs-zod converts JSON Schema's `null` unions to OpenAPI 3.0's `nullable` at the top levels
 * only; this finishes the job everywhere (objects inside arrays included).
 */
export function nullableTo30<T>(node: T): T {
  if (Array.isArray(node)) return node.map(nullableTo30) as T;
  if (!node || typeof node !== 'object') return node;
  let out: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableTo30(v)]));
  if (Array.isArray(out.type) && out.type.includes('null')) {
    const rest = out.type.filter((t) => t !== 'null');
    out = { ...out, type: rest.length === 1 ? rest[0] : rest, nullable: true };
  }
  if (Array.isArray(out.anyOf) && out.anyOf.some((s: Schema) => s?.type === 'null')) {
    const { anyOf, ...own } = out;
    const rest = (anyOf as Schema[]).filter((s) => s?.type !== 'null');
    out =
      rest.length > 1
        ? { ...own, anyOf: rest, nullable: true }
        : rest[0].$ref
          ? { ...own, allOf: rest, nullable: true }
          : { ...rest[0], ...own, nullable: true };
  }
  return out as T;
}

const isObjectSchema = (s: unknown): s is Schema =>
  !!s && typeof s === 'object' && (s as Schema).type === 'object' && !!(s as Schema).properties;

/**
 * zod-derived DTOs inline the shapes they embed (a page's items, say): every copy of a named
 * object schema inside another one becomes a `$ref` to it, so the document (and the admin's types
 * generated from it) states each shape once.
 */
export function refNamedShapes<T extends { components?: { schemas?: Record<string, unknown> } }>(doc: T): T {
  const schemas = doc.components?.schemas;
  if (!schemas) return doc;
  const named = new Map<string, string>();
  for (const name of Object.keys(schemas).sort()) {
    const key = JSON.stringify(schemas[name]);
    if (isObjectSchema(schemas[name]) && !named.has(key)) named.set(key, name);
  }
  const walk = (node: unknown, top: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!node || typeof node !== 'object') return node;
    const name = top ? undefined : named.get(JSON.stringify(node));
    if (name) return { $ref: `#/components/schemas/${name}` };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, false)]));
  };
  const refd = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, walk(s, true)]));
  return { ...doc, components: { ...doc.components, schemas: refd } };
}

/**
 * Serves the document at /api/openapi.json and Swagger UI at /api/docs. The document is built
 * on its first request (then kept): building it walks every route and converts the zod schemas,
 * ~0.3 s of CPU and memory that start-up does not need.
 */
export function mountOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApi(app, config), {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'Context Desk API',
  });
}
