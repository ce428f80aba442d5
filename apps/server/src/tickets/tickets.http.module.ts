import { Module } from '@nestjs/common';
import { TicketsModule } from '@app/tickets';
import { MacrosController } from './macros.controller';
import { StatsController } from './stats.controller';
import { TicketViewsController } from './ticket-views.controller';
import { TicketsController } from './tickets.controller';

/** REST doors for tickets, their comments and activity, saved views, macros, and the dashboard figures. */
@Module({
  imports: [TicketsModule],
  controllers: [TicketsController, StatsController, TicketViewsController, MacrosController],
})
export class TicketsHttpModule {}
