export { EventBus, type EventListener, WAKE_CHANNEL } from './event-bus';
export { EventLogService, TOPIC_SCOPE, topicsAllowed } from './event-log.service';
export { EventsModule } from './events.module';
export {
  appendEvent,
  appendEvents,
  type ChangeEvent,
  type NewEvent,
  toChangeEvent,
  type Topic,
  TOPICS,
  traceParentOf,
} from './outbox';
export {
  type Change,
  changedFields,
  recordChange,
  versionedUpdate,
  type VersionedUpdate,
} from './write-recipe';
