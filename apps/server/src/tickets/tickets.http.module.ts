import { Module } from '@nestjs/common';
import { TicketsModule } from '@app/tickets';
import { StatsController } from './stats.controller';
import { TicketsController } from './tickets.controller';

/** REST doors for tickets, their comments, and the dashboard figures. */
@Module({
  imports: [TicketsModule],
  controllers: [TicketsController, StatsController],
})
export class TicketsHttpModule {}
