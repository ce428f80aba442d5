import { Body, Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Principal } from '@app/core';
import { TicketViewsService, type TicketViewDto } from '@app/tickets';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { ApiProblems } from '../http/problem.schema';
import { CreateRoute, DeleteRoute, GetRoute, ListRoute, PatchRoute } from '../http/routes';
import {
  CreateTicketViewDto,
  TicketViewList,
  TicketViewResponse,
  UpdateTicketViewDto,
} from './ticket-views.dto';

/** Saved ticket views of the calling user (and the ones others share). Reading tickets is enough. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiProblems()
@RequireScopes('tickets:read')
@Controller('api/v1/ticket-views')
export class TicketViewsController {
  constructor(private readonly views: TicketViewsService) {}

  @ListRoute('My saved ticket views and the ones others share, by name', TicketViewList)
  list(@CurrentPrincipal() viewer: Principal): Promise<{ items: TicketViewDto[] }> {
    return this.views.list(viewer);
  }

  @GetRoute('One saved view (mine, or shared)', TicketViewResponse)
  get(@Param('id') id: string, @CurrentPrincipal() viewer: Principal): Promise<TicketViewDto> {
    return this.views.get(id, viewer);
  }

  @CreateRoute('Save a ticket list query as a view', TicketViewResponse)
  create(@Body() body: CreateTicketViewDto, @CurrentPrincipal() actor: Principal): Promise<TicketViewDto> {
    return this.views.create(body, actor);
  }

  @PatchRoute('Rename, re-query or share one of my views', TicketViewResponse)
  update(
    @Param('id') id: string,
    @Body() body: UpdateTicketViewDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TicketViewDto> {
    return this.views.update(id, withIfMatch(body, ifMatch), actor);
  }

  @DeleteRoute('Delete one of my views')
  remove(@Param('id') id: string, @CurrentPrincipal() actor: Principal): Promise<void> {
    return this.views.remove(id, actor);
  }
}
