import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@app/auth';
import type { Principal } from '@app/core';
import { JobQueue, type JobDto } from '@app/jobs';
import { ApiProblems, ProblemSchema } from '../http/problem.schema';
import { JobResponse } from './jobs.dto';

@ApiTags('jobs')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobQueue) {}

  @Get(':id')
  @ApiOperation({ summary: 'State, progress and result of a background job (yours, or any for admins)' })
  @ApiOkResponse({ type: JobResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  get(@Param('id') id: string, @CurrentPrincipal() viewer: Principal): Promise<JobDto> {
    return this.jobs.get(id, viewer);
  }
}
