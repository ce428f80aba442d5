import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { LoggingModule, ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';

/** The background-work process: the same domain modules as the server, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        ObservabilityModule,
        DatabaseModule,
        RedisModule,
      ],
    };
  }
}
