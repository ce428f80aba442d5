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
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, doc));
}

/** Serves the document at /api/openapi.json and Swagger UI at /api/docs. */
export function mountOpenApi(app: INestApplication, config: AppConfig): void {
  const document = buildOpenApi(app, config);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'Context Desk API',
  });
}
