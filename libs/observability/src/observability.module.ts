import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class ObservabilityModule {}
