import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ServerLifecycle } from './server-lifecycle';

@Global()
@Module({ controllers: [HealthController], providers: [ServerLifecycle], exports: [ServerLifecycle] })
export class HealthModule {}
