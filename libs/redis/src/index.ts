/** Public API of libs/redis: what other libs, the apps and the tests use. */
export { createRedis, pingRedis } from './redis';
export { REDIS, RedisModule } from './redis.module';
