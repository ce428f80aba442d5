import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { DashboardStatsService } from './dashboard-stats.service';
import { TicketsService } from './tickets.service';

@Module({
  imports: [UsersModule],
  providers: [TicketsService, DashboardStatsService],
  exports: [TicketsService, DashboardStatsService],
})
export class TicketsModule {}
