import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { AppConfig, ConfigModule, loadConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule } from '@app/events';
import { KnowledgeModule } from '@app/knowledge';
import { ObservabilityModule } from '@app/observability';
import { TicketsModule } from '@app/tickets';
import { BootstrapAdminService, UsersModule } from '@app/users';

/** The domain without any door: what CLI commands run against. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule,
        EventsModule,
        UsersModule,
        AuthModule,
        KnowledgeModule,
        TicketsModule,
      ],
    };
  }
}

/** Opens the configured database (applying migrations) with the domain services, runs fn, closes. */
export async function withDomain<T>(
  fn: (app: INestApplicationContext, config: AppConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    // Opening the domain creates the bootstrap admin on an empty database; say so once.
    const created = app.get(BootstrapAdminService).created;
    if (created) {
      console.log(
        `Created admin ${created.email}` +
          (created.generatedPassword ? ` with password ${created.generatedPassword} (shown once)` : ''),
      );
    }
    return await fn(app, config);
  } finally {
    await app.close();
  }
}
