import { createRequire } from 'node:module';

/**
 * @nestjs/bullmq (with bullmq and its ioredis, ~30 MiB) is loaded only when REDIS_URL is set:
 * the embedded mode runs jobs in-process and never needs it.
 */
export function nestBull(): typeof import('@nestjs/bullmq') {
  return createRequire(__filename)('@nestjs/bullmq') as typeof import('@nestjs/bullmq');
}
