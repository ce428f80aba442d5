import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { DashboardStatsService } from './dashboard-stats.service';
import { SlaScheduler } from './sla.scheduler';
import { TicketRepository } from './ticket.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [UsersModule],
  providers: [TicketRepository, TicketsService, DashboardStatsService],
  exports: [TicketsService, DashboardStatsService],
})
export class TicketsModule {}

/** The first-response SLA job; imported beside JobsModule where jobs are scheduled (server, worker). */
@Module({
  imports: [TicketsModule],
  providers: [SlaScheduler],
})
export class TicketSlaModule {}
