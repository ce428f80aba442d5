import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Principal } from '@app/core';
import { MacrosService, type MacroDto } from '@app/tickets';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { ApiProblems } from '../http/problem.schema';
import { CreateRoute, DeleteRoute, ListRoute, PatchRoute } from '../http/routes';
import {
  CreateMacroDto,
  MacroList,
  MacroResponse,
  RenderedMacroResponse,
  RenderMacroDto,
  UpdateMacroDto,
} from './ticket-views.dto';

/** Saved replies (macros), shared by the team. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiProblems()
@RequireScopes('tickets:write')
@Controller('api/v1/macros')
export class MacrosController {
  constructor(private readonly macros: MacrosService) {}

  @ListRoute('Saved replies, by name', MacroList)
  list(@CurrentPrincipal() viewer: Principal): Promise<{ items: MacroDto[] }> {
    return this.macros.list(viewer);
  }

  @CreateRoute('Save a reply template (unknown placeholders are refused)', MacroResponse)
  create(@Body() body: CreateMacroDto, @CurrentPrincipal() actor: Principal): Promise<MacroDto> {
    return this.macros.create(body, actor);
  }

  @PatchRoute('Change a saved reply', MacroResponse)
  update(
    @Param('id') id: string,
    @Body() body: UpdateMacroDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<MacroDto> {
    return this.macros.update(id, withIfMatch(body, ifMatch), actor);
  }

  @DeleteRoute('Delete a saved reply')
  remove(@Param('id') id: string, @CurrentPrincipal() actor: Principal): Promise<void> {
    return this.macros.remove(id, actor);
  }

  @Post(':id/render')
  @HttpCode(200)
  @ApiOperation({ summary: 'The saved reply filled in for a ticket and the calling agent' })
  @ApiOkResponse({ type: RenderedMacroResponse })
  render(
    @Param('id') id: string,
    @Body() body: RenderMacroDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<{ body: string }> {
    return this.macros.render(id, body.ticket, actor);
  }
}
