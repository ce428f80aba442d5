import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { createZodDto } from '../http/zod-dto';
import { RequireScopes } from '@app/auth';
import { AuditLogService, auditPageSchema, auditQuerySchema } from '@app/observability';
import { ApiProblems } from '../http/problem.schema';
import { asQuery } from '../http/query';

/** REST shapes of the audit log, derived from the one schema in @app/observability. */
export class AuditPage extends createZodDto(auditPageSchema) {}
export class AuditQueryDto extends createZodDto(asQuery(auditQuerySchema)) {}

@ApiTags('audit')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @RequireScopes('admin')
  @ApiOkResponse({ type: AuditPage, description: 'Audit entries, newest first' })
  list(@Query() q: AuditQueryDto): Promise<AuditPage> {
    return this.audit.list(q);
  }
}
