import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule, BearerAuthGuard, RateLimiter } from '@app/auth';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule } from '@app/events';
import { JobsModule } from '@app/jobs';
import { KnowledgeJobsModule } from '@app/knowledge';
import { WebhooksModule } from '@app/webhooks';
import { LoggingModule, ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { TicketSlaModule } from '@app/tickets';
import { UsersModule } from '@app/users';
import { AdminUiController } from './admin-ui.controller';
import { AttachmentsHttpModule } from './attachments/attachments.http.module';
import { DocumentsHttpModule } from './documents/documents.http.module';
import { EventsWsModule } from './events/events.ws.module';
import { HealthModule } from './health/health.module';
import { HelpHttpModule } from './help/help.http.module';
import { JobsHttpModule } from './jobs/jobs.http.module';
import { McpHttpModule } from './mcp/mcp.http.module';
import { ProblemDetailsFilter } from './http/problem.filter';
import { RateLimitGuard } from './http/rate-limit.guard';
import { createValidationPipe } from './http/validation';
import { MetricsController } from './metrics.controller';
import { OAuthHttpModule } from './oauth/oauth.http.module';
import { AccountsHttpModule } from './rest.module';
import { TicketsHttpModule } from './tickets/tickets.http.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        ObservabilityModule,
        DatabaseModule,
        RedisModule,
        EventsModule,
        UsersModule,
        AuthModule,
        ThrottlerModule.forRootAsync({
          inject: [RateLimiter],
          useFactory: (store: RateLimiter) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
            storage: store,
          }),
        }),
        HealthModule,
        AccountsHttpModule,
        TicketsHttpModule,
        DocumentsHttpModule,
        AttachmentsHttpModule,
        JobsModule.forRoot(config),
        KnowledgeJobsModule,
        TicketSlaModule,
        WebhooksModule,
        JobsHttpModule,
        EventsWsModule,
        McpHttpModule,
        OAuthHttpModule,
        HelpHttpModule,
      ],
      controllers: [MetricsController, AdminUiController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        // Authenticate first, so the rate limit counts per key or user (per IP when anonymous).
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
