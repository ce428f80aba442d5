import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { EventBus, type ChangeEvent } from '@app/events';
import { JobHandlerRegistry, JobQueue, type JobContext, type JobHandler } from '@app/jobs';
import { TICKET_EVENTS } from './ticket-events';
import type { TicketDto } from './ticket.schema';
import { TicketsService } from './tickets.service';

/**
 * First-response SLA. Ticket events from the bus schedule one delayed job per deadline (the
 * key makes it one across instances and re-sends); the job asks TicketsService to mark the
 * breach, which fires `ticket.sla_breached` at most once and not at all after an agent reply.
 * A sweep at start-up catches deadlines that passed while nothing was running.
 */
@Injectable()
export class SlaScheduler implements JobHandler<'sla'>, OnApplicationBootstrap, OnApplicationShutdown {
  readonly queue = 'sla' as const;
  private readonly logger = new Logger('Sla');
  private unsubscribe: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBus,
    private readonly jobs: JobQueue,
    private readonly tickets: TicketsService,
    private readonly config: AppConfig,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.event !== TICKET_EVENTS.created && e.event !== TICKET_EVENTS.updated) return;
      this.chain = this.chain.then(() =>
        this.schedule(e).catch((err: Error) =>
          this.logger.error(`scheduling SLA for event ${e.id}: ${err.message}`),
        ),
      );
    });
    if (this.config.runJobs) {
      for (const n of await this.tickets.listSlaDue().catch(() => [])) {
        await this.jobs.enqueue('sla', { ticketNumber: n }, { key: `sla:${n}:sweep` }).catch(() => undefined);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.chain;
  }

  async handle(ctx: JobContext<'sla'>): Promise<{ breached: boolean }> {
    return { breached: await this.tickets.markSlaBreached(ctx.payload.ticketNumber) };
  }

  private async schedule(e: ChangeEvent): Promise<void> {
    const t = e.data as unknown as TicketDto;
    if (!t.slaDueAt || t.firstResponseAt || t.slaBreachedAt || typeof t.number !== 'number') return;
    const delayMs = Math.max(0, Date.parse(t.slaDueAt) - Date.now());
    await this.jobs.enqueue(
      'sla',
      { ticketNumber: t.number },
      { key: `sla:${t.number}:${t.slaDueAt}`, delayMs },
    );
  }
}
