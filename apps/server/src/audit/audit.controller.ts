import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { RequireScopes } from '@app/auth';
import { AuditLogService } from '@app/observability';
import { PageQueryDto } from '../http/page-query.dto';
import { ApiProblems } from '../http/problem.schema';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) actorId?: string;
  @ApiPropertyOptional({ description: 'Exact action, or a prefix ending in * (e.g. mcp.*)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;
  @ApiPropertyOptional({ enum: ['success', 'error', 'denied'] })
  @IsOptional()
  @IsIn(['success', 'error', 'denied'])
  outcome?: string;
  @ApiPropertyOptional({ enum: ['rest', 'mcp', 'ws', 'cli', 'job', 'system'] })
  @IsOptional()
  @IsIn(['rest', 'mcp', 'ws', 'cli', 'job', 'system'])
  channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) targetType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) targetId?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @RequireScopes('admin')
  @ApiOkResponse({ description: 'Audit entries, newest first: {items, nextCursor}' })
  list(@Query() q: AuditQueryDto) {
    return this.audit.list(q);
  }
}
