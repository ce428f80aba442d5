import type { IncomingMessage, Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { MAX_IMPORT_JSON_BYTES } from '@app/knowledge';
import { OAuthServerService } from '@app/oauth';
import { MetricsService } from '@app/observability';
import { adminDistDir } from './admin-ui.controller';
import { AppModule } from './app.module';
import { serveMcpAheadOfExpress } from './mcp/mcp-fast-door';
import { admissionControl } from './http/admission';
import { answerRequestTimeoutsWith503 } from './http/request-timeouts';
import { restInputGuards } from './http/input-guards';
import { securityHeaders } from './http/security-headers';
import { mountOpenApi } from './openapi';

const isJson = (req: IncomingMessage) => /^application\/json\b/i.test(req.headers['content-type'] ?? '');
const pathOf = (req: IncomingMessage) => req.url?.split('?')[0] ?? '';
const IMPORTS_PATH = '/api/v1/imports';

/** MCP doors read their own bodies (a byte limit that holds for chunked bodies, JSON-RPC errors). */
const SELF_PARSED = new Set(['/mcp', '/messages']);

/**
 * Builds the HTTP application (not yet listening). Used by main.ts and by the e2e tests, so
 * both run exactly the same wiring.
 */
export async function createServerApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Start-up failures are reported by main.ts as one line; the pino logger takes over below.
    logger: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (none by default).
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  // Before anything reads a body or the database: overload is shed here with 503.
  const admission = admissionControl(config.admission, app.get(MetricsService));
  app.use(admission);
  // A request Node could not read in time (a burst on a busy process) is overload too: 503, not 408.
  answerRequestTimeoutsWith503(app.getHttpServer() as Server);
  // /mcp is served ahead of Express: the same admission (one in-flight budget) guards it there.
  serveMcpAheadOfExpress(app, admission);
  // The OAuth server (oidc-provider) reads its own request bodies: mounted before the parsers.
  app.use(app.get(OAuthServerService).middleware());
  // Bulk imports carry many documents per request: a larger (still bounded) limit on that route
  // alone; the general parser below then finds the body parsed and leaves it.
  app.useBodyParser('json', {
    limit: MAX_IMPORT_JSON_BYTES,
    type: (req: IncomingMessage) => req.method === 'POST' && pathOf(req) === IMPORTS_PATH && isJson(req),
  });
  app.useBodyParser('json', {
    limit: '2mb',
    type: (req: IncomingMessage) => !SELF_PARSED.has(pathOf(req)) && isJson(req),
  });
  app.use(restInputGuards());
  app.useWebSocketAdapter(new WsAdapter(app));
  mountOpenApi(app, config);
  const admin = adminDistDir();
  if (admin) app.useStaticAssets(admin, { prefix: '/admin/', index: 'index.html', maxAge: '1h' });
  return app;
}
