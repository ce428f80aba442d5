import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { activeTraceIds, activeTraceparent } from '@app/core';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** pino for every log line; each HTTP request gets an id (taken from X-Request-Id when sane). */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              // With tracing on, every line names its trace (and the request's traceparent is
              // echoed to the caller); with it off this returns at the flag check.
              mixin: () => {
                const ids = activeTraceIds();
                return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
              },
              genReqId: (req: IncomingMessage, res: ServerResponse) => {
                const header = req.headers['x-request-id'];
                const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
                res.setHeader('X-Request-Id', id);
                const traceparent = activeTraceparent();
                if (traceparent) res.setHeader('traceparent', traceparent);
                return id;
              },
              redact: ['req.headers.authorization', 'req.headers.cookie', 'req.query.access_token'],
              autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
                err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url?.replace(/access_token=[^&]+/, 'access_token=[redacted]'),
                }),
              },
            },
          }),
        }),
      ],
    };
  }
}
