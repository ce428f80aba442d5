import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule } from '@app/events';
import { JobsModule } from '@app/jobs';
import { KnowledgeJobsModule } from '@app/knowledge';
import { WebhooksModule } from '@app/webhooks';
import { LoggingModule, ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { TicketSlaModule } from '@app/tickets';

/**
 * The background-work process: the domain modules and the job processors, no HTTP. It always
 * runs jobs (servers beside it set RUN_JOBS=false and only enqueue). It also follows the event
 * bus, so webhook deliveries and SLA timers are scheduled even while servers restart; the
 * dedupe keys make that harmless when servers schedule the same work.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        ObservabilityModule,
        DatabaseModule,
        RedisModule,
        EventsModule,
        JobsModule.forRoot(config, { runJobs: true }),
        KnowledgeJobsModule,
        TicketSlaModule,
        WebhooksModule,
      ],
    };
  }
}
