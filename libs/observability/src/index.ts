export * from './logging.module';
export * from './metrics';
export * from './observability.module';
export * from './audit';
export * from './audit-log.service';
export * from './tracing-sdk';
