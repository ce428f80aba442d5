import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { Public } from '@app/auth';
import { DatabaseService } from '@app/database';
import { REDIS, pingRedis } from '@app/redis';
import { ServerLifecycle } from './server-lifecycle';

/** Each probe gives up after this, so `/health/ready` answers within 2 s (contract 7a). */
const PROBE_TIMEOUT_MS = 1500;

interface DependencyState {
  status: 'up' | 'down';
  [detail: string]: string;
}

/**
 * Liveness and readiness. Readiness probes every dependency in parallel, each bounded in time,
 * and names each one with its state (`database`, and `redis` when configured), in the shape
 * `@nestjs/terminus` uses: `{status, info, error, details}`; 503 with the same body when one is down.
 * While the process drains for shutdown it is not ready either: `details.server` says so (503),
 * so a load balancer stops sending before the process stops answering.
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DatabaseService,
    private readonly lifecycle: ServerLifecycle,
    @Optional() @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const probes: [string, Promise<DependencyState>][] = [
      ['database', probe(() => this.db.ping(), { engine: this.db.kind })],
    ];
    const redis = this.redis;
    if (redis) probes.push(['redis', probe(() => pingRedis(redis, PROBE_TIMEOUT_MS), {})]);
    const details: Record<string, DependencyState> = {};
    for (const [name, p] of probes) details[name] = await p;
    if (this.lifecycle.draining)
      details.server = { status: 'down', message: 'shutting down: finishing requests in flight' };
    const pick = (s: 'up' | 'down') =>
      Object.fromEntries(Object.entries(details).filter(([, d]) => d.status === s));
    const ok = Object.values(details).every((d) => d.status === 'up');
    res.status(ok ? 200 : 503);
    if (!ok) res.setHeader('Retry-After', '5');
    res.setHeader('Cache-Control', 'no-store');
    return { status: ok ? 'ok' : 'error', info: pick('up'), error: pick('down'), details };
  }
}

async function probe(ping: () => Promise<void>, data: Record<string, string>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up', ...data };
  } catch (e) {
    return { status: 'down', ...data, message: (e as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}
