import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CurrentPrincipal } from '@app/auth';
import { MAX_LIMIT, type Principal } from '@app/core';
import { EventLogService, TOPICS, topicsAllowed, type ChangeEvent, type Topic } from '@app/events';
import { ApiProblems } from '../http/problem.schema';

export class EventsQuery {
  @ApiPropertyOptional({ description: 'Return events with a greater id', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ description: 'Return events with a smaller id' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'asc',
    description: '`desc`: newest first (the latest history); page on with `before`',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: TOPICS })
  @IsOptional()
  @IsIn(TOPICS)
  topic?: Topic;
}

export class ChangeEventResponse {
  @ApiProperty({ example: 42 }) id!: number;
  @ApiProperty({ enum: TOPICS }) topic!: Topic;
  @ApiProperty({ example: 'ticket.updated' }) event!: string;
  @ApiProperty() entityId!: string;
  @ApiProperty({ type: Object }) data!: Record<string, unknown>;
  @ApiProperty() at!: string;
}

export class EventPage {
  @ApiProperty({ type: [ChangeEventResponse] }) items!: ChangeEventResponse[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `after` to read on (as `before` with order=desc); null when there is no more',
  })
  nextCursor!: string | null;
}

/** The change history, in id order (or newest first), limited to the topics the caller's scopes allow. */
@ApiTags('events')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly log: EventLogService) {}

  @Get()
  @ApiOkResponse({ type: EventPage })
  async list(@Query() q: EventsQuery, @CurrentPrincipal() p: Principal) {
    const limit = q.limit ?? Math.min(100, MAX_LIMIT);
    const topics = topicsAllowed(p, q.topic ? [q.topic] : TOPICS);
    const events = await this.log.page({ after: q.after, before: q.before, order: q.order }, topics, limit);
    const items: Omit<ChangeEvent, 'actorId'>[] = events.map(({ actorId: _actor, ...e }) => e);
    return { items, nextCursor: items.length === limit ? String(items[items.length - 1].id) : null };
  }
}
