import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { DashboardStatsService } from './dashboard-stats.service';
import { MacrosService } from './macros';
import { SlaScheduler } from './sla.scheduler';
import { TicketActivityService } from './ticket-activity';
import { TicketViewsService } from './ticket-views';
import { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [UsersModule],
  providers: [
    TicketRepository,
    TicketsService,
    DashboardStatsService,
    TicketViewsService,
    MacrosService,
    TicketActivityService,
  ],
  exports: [TicketsService, DashboardStatsService, TicketViewsService, MacrosService, TicketActivityService],
})
export class TicketsModule {}

/** The first-response SLA job; imported beside JobsModule where jobs are scheduled (server, worker). */
@Module({
  imports: [TicketsModule],
  providers: [SlaScheduler],
})
export class TicketSlaModule {}
