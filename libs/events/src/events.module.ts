import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';
import { EventLogService } from './event-log.service';

@Global()
@Module({ providers: [EventLogService, EventBus], exports: [EventLogService, EventBus] })
export class EventsModule {}
