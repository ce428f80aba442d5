/** Public API of libs/events: what other libs, the apps and the tests use. */
export { EventBus } from './event-bus';
export { EventLogService, topicsAllowed } from './event-log.service';
export { EventsModule } from './events.module';
export { appendEvent, appendEvents, type ChangeEvent, toChangeEvent, type Topic, TOPICS } from './outbox';
export { type Change, changedFields, recordChange, versionedUpdate } from './write-recipe';
