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
  const stop = () => {
    app
      .close()
      .then(() => tracing?.shutdown())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
