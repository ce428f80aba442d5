export * from './event-bus';
export * from './event-log.service';
export * from './events.module';
export * from './outbox';
export * from './write-recipe';
