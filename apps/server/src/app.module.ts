import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { LoggingModule, ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { UsersModule } from '@app/users';
import { HealthModule } from './health/health.module';
import { MetricsController } from './metrics.controller';

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
        UsersModule,
        HealthModule,
      ],
      controllers: [MetricsController],
    };
  }
}
