import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Page, Principal } from '@app/core';
import {
  TicketActivityService,
  TicketsService,
  type TicketActivityList as TicketActivity,
  type TicketCommentDto,
  type TicketDto,
  type TicketWithCommentsDto,
} from '@app/tickets';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { PageQueryDto } from '../http/page-query.dto';
import { IF_MATCH_HEADER } from '../http/routes';
import { ApiProblems, ProblemSchema } from '../http/problem.schema';
import { TicketNumberPipe } from './ticket-number.pipe';
import {
  CommentPage,
  CommentResponse,
  CreateCommentDto,
  CreateTicketDto,
  ListTicketsQuery,
  TicketPage,
  TicketResponse,
  TicketWithCommentsResponse,
  UpdateTicketDto,
} from './tickets.dto';
import { TicketActivityList } from './ticket-views.dto';

const NUMBER_PARAM = { name: 'number', description: 'The ticket number', example: 42 };

@ApiTags('tickets')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly activityLog: TicketActivityService,
  ) {}

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperation({
    summary: 'List or search tickets (newest first; best match first with q; or in the order of sort)',
  })
  @ApiOkResponse({ type: TicketPage })
  list(@Query() q: ListTicketsQuery, @CurrentPrincipal() viewer: Principal): Promise<Page<TicketDto>> {
    const { q: query, ...filters } = q;
    return this.tickets.search({ query, ...filters }, viewer);
  }

  @Post()
  @RequireScopes('tickets:write')
  @ApiOperation({ summary: 'Open a ticket' })
  @ApiCreatedResponse({ type: TicketResponse })
  create(@Body() body: CreateTicketDto, @CurrentPrincipal() actor: Principal): Promise<TicketDto> {
    return this.tickets.create(body, actor);
  }

  @Get(':number')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'One ticket with its comments (internal ones only for tickets:write)' })
  @ApiParam(NUMBER_PARAM)
  @ApiOkResponse({ type: TicketWithCommentsResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  get(
    @Param('number', TicketNumberPipe) number: number,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<TicketWithCommentsDto> {
    return this.tickets.get(number, viewer);
  }

  @Patch(':number')
  @RequireScopes('tickets:write')
  @ApiOperation({ summary: 'Change fields or move the ticket along its workflow' })
  @ApiParam(NUMBER_PARAM)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: TicketResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({
    type: ProblemSchema,
    description: 'Stale version (with currentVersion) or a status move the workflow does not allow',
  })
  update(
    @Param('number', TicketNumberPipe) number: number,
    @Body() body: UpdateTicketDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TicketDto> {
    return this.tickets.update(number, withIfMatch(body, ifMatch), actor);
  }

  @Get(':number/activity')
  @RequireScopes('tickets:read')
  @ApiOperation({
    summary: 'Comments and field changes (status, priority, assignee, …) in one timeline, oldest first',
  })
  @ApiParam(NUMBER_PARAM)
  @ApiOkResponse({ type: TicketActivityList })
  @ApiNotFoundResponse({ type: ProblemSchema })
  activity(
    @Param('number', TicketNumberPipe) number: number,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<TicketActivity> {
    return this.activityLog.activity(number, viewer);
  }

  @Get(':number/comments')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'Comments of a ticket, oldest first' })
  @ApiParam(NUMBER_PARAM)
  @ApiOkResponse({ type: CommentPage })
  @ApiNotFoundResponse({ type: ProblemSchema })
  comments(
    @Param('number', TicketNumberPipe) number: number,
    @Query() page: PageQueryDto,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<Page<TicketCommentDto>> {
    return this.tickets.listComments(number, viewer, page);
  }

  @Post(':number/comments')
  @RequireScopes('tickets:write')
  @ApiOperation({ summary: 'Reply or add an internal note; the first public reply stops the SLA clock' })
  @ApiParam(NUMBER_PARAM)
  @ApiCreatedResponse({ type: CommentResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  comment(
    @Param('number', TicketNumberPipe) number: number,
    @Body() body: CreateCommentDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<TicketCommentDto> {
    return this.tickets.comment(number, body, actor);
  }
}
