import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Principal } from '@app/core';
import { DashboardStatsService, type DashboardStats } from '@app/tickets';
import { ApiProblems } from '../http/problem.schema';

class DocumentCounts {
  @ApiProperty({ example: 3 }) draft!: number;
  @ApiProperty({ example: 120 }) published!: number;
  @ApiProperty({ example: 7 }) archived!: number;
}

class OpenByPriority {
  @ApiProperty({ example: 4 }) low!: number;
  @ApiProperty({ example: 12 }) normal!: number;
  @ApiProperty({ example: 2 }) high!: number;
  @ApiProperty({ example: 1 }) urgent!: number;
}

class TicketCounts {
  @ApiProperty({ type: OpenByPriority, description: 'Unfinished tickets (open or pending) per priority' })
  openByPriority!: OpenByPriority;
  @ApiProperty({ example: 1, description: 'Unfinished tickets whose first-response SLA was breached' })
  slaBreached!: number;
}

class TicketsDay {
  @ApiProperty({ example: '2026-01-05' }) day!: string;
  @ApiProperty({ example: 6 }) opened!: number;
  @ApiProperty({ example: 4 }) resolved!: number;
}

class SearchesDay {
  @ApiProperty({ example: '2026-01-05' }) day!: string;
  @ApiProperty({ example: 31 }) count!: number;
}

export class StatsResponse implements DashboardStats {
  @ApiProperty({ type: DocumentCounts }) documents!: DocumentCounts;
  @ApiProperty({ type: TicketCounts }) tickets!: TicketCounts;
  @ApiProperty({ type: [TicketsDay], description: 'The last 30 days (UTC), oldest first, missing days as 0' })
  ticketsPerDay!: TicketsDay[];
  @ApiProperty({ type: [SearchesDay], description: 'Not recorded yet: always empty' })
  searchesPerDay!: SearchesDay[];
}

@ApiTags('stats')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/stats')
export class StatsController {
  constructor(private readonly stats: DashboardStatsService) {}

  @Get()
  @RequireScopes('tickets:read', 'kb:read')
  @ApiOperation({ summary: 'Figures for the admin dashboard' })
  @ApiOkResponse({ type: StatsResponse })
  get(@CurrentPrincipal() viewer: Principal): Promise<DashboardStats> {
    return this.stats.get(viewer);
  }
}
