import '../../server/src/quiet-runtime-notice';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigError, loadConfig } from '@app/config';
import { startTracing } from '@app/observability';
import { WorkerModule } from './worker.module';

function fail(message: string): never {
  process.stderr.write(`context-desk worker: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    fail(e instanceof ConfigError ? e.message : String(e));
  }
  if (config.mode === 'embedded') {
    fail('the worker needs DATABASE_URL and REDIS_URL; in embedded mode the server runs jobs itself');
  }
  const tracing = startTracing(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
  }).catch((e: Error) => fail(e.message.split('\n')[0]));
  app.useLogger(app.get(Logger));
  app.get(Logger).log('Worker ready');
  let stopping = false;
  // Running jobs finish, or stop at their next checkpoint and go back to the queue (within
  // SHUTDOWN_TIMEOUT_MS, see JobExecutor); then the queues and connections close.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down (finishing or returning running jobs)\n`);
    const force = setTimeout(() => {
      process.stderr.write(
        `context-desk worker: shutdown took longer than ${config.shutdownTimeoutMs + 5000} ms, exiting\n`,
      );
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    force.unref();
    app
      .close()
      .then(() => tracing?.shutdown())
      .then(() => process.exit(0))
      .catch((e: Error) => fail(`shutdown failed: ${e.message}`));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
