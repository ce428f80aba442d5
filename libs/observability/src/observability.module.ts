import { Global, Module } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';
import { MetricsService } from './metrics';

@Global()
@Module({ providers: [MetricsService, AuditLogService], exports: [MetricsService, AuditLogService] })
export class ObservabilityModule {}
