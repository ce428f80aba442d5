import { Module } from '@nestjs/common';
import { EventsGateway } from './events.gateway';

/** The WebSocket door `/events` (AuthService and the event bus come from global modules). */
@Module({ providers: [EventsGateway] })
export class EventsWsModule {}
