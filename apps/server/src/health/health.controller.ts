import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { Public } from '@app/auth';
import { DatabaseService } from '@app/database';
import { REDIS, pingRedis } from '@app/redis';

@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: DatabaseService,
    @Optional() @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks = [() => this.probe('database', () => this.db.ping(), { engine: this.db.kind })];
    const redis = this.redis;
    if (redis) checks.push(() => this.probe('redis', () => pingRedis(redis), {}));
    return this.health.check(checks);
  }

  private async probe(key: string, ping: () => Promise<void>, data: Record<string, string>) {
    const session = this.indicators.check(key);
    try {
      await ping();
      return session.up(data);
    } catch (e) {
      return session.down({ ...data, message: (e as Error).message });
    }
  }
}
