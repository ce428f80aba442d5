import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { OAuthServerService } from '@app/oauth';
import { adminDistDir } from './admin-ui.controller';
import { AppModule } from './app.module';
import { restInputGuards } from './http/input-guards';
import { securityHeaders } from './http/security-headers';
import { mountOpenApi } from './openapi';

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
  // The OAuth server (oidc-provider) reads its own request bodies: mounted before the parsers.
  app.use(app.get(OAuthServerService).middleware());
  app.useBodyParser('json', {
    limit: '2mb',
    type: (req: IncomingMessage) =>
      !SELF_PARSED.has(req.url?.split('?')[0] ?? '') &&
      /^application\/json\b/i.test(req.headers['content-type'] ?? ''),
  });
  app.use(restInputGuards());
  app.useWebSocketAdapter(new WsAdapter(app));
  mountOpenApi(app, config);
  const admin = adminDistDir();
  if (admin) app.useStaticAssets(admin, { prefix: '/admin/', index: 'index.html', maxAge: '1h' });
  return app;
}
