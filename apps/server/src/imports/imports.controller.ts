import { Body, Controller, HttpCode, Post, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import { InvalidError, type Principal } from '@app/core';
import type { JobDto } from '@app/jobs';
import { ImportsService, parseJsonImport, parseUploads, type ParsedImport } from '@app/knowledge';
import { ApiProblems } from '../http/problem.schema';
import { JobResponse } from '../jobs/jobs.dto';
import { multerOptions } from './bounded-upload';

const DOCUMENT_SCHEMA = {
  type: 'object',
  required: ['slug', 'title', 'body'],
  properties: {
    slug: { type: 'string', example: 'reset-password' },
    title: { type: 'string' },
    body: { type: 'string', description: 'Markdown' },
    tags: { type: 'array', items: { type: 'string' } },
    collection: { type: 'string', nullable: true },
    status: { type: 'string', enum: ['draft', 'published', 'archived'] },
  },
};

/** What multer hands over for each uploaded file (memory storage). */
interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

@ApiTags('jobs')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('kb:write')
  @UseInterceptors(AnyFilesInterceptor(multerOptions()))
  @ApiOperation({
    summary: 'Import documents (upsert by slug) in the background',
    description:
      'JSON `{"documents":[...]}`, or multipart Markdown files with optional YAML front matter (slug, title, tags, collection, status). Poll the job at `/api/v1/jobs/{id}`.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['documents'],
          properties: { documents: { type: 'array', items: DOCUMENT_SCHEMA } },
        },
        {
          type: 'object',
          properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } },
        },
      ],
    },
  })
  @ApiAcceptedResponse({ type: JobResponse })
  async create(
    @Req() req: Request,
    @Body() body: unknown,
    @UploadedFiles() files: UploadedFile[] | undefined,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobDto> {
    const job = await this.imports.start(await parseRequest(req, body, files), actor);
    res.setHeader('Location', `/api/v1/jobs/${job.id}`);
    return job;
  }
}

async function parseRequest(
  req: Request,
  body: unknown,
  files: UploadedFile[] | undefined,
): Promise<ParsedImport> {
  if (req.is('multipart/form-data')) {
    const list = files ?? [];
    if (!list.length)
      throw new InvalidError('no files uploaded', [{ field: 'files', message: 'upload Markdown files' }]);
    return parseUploads(list.map((f) => ({ name: f.originalname, text: f.buffer.toString('utf8') })));
  }
  try {
    return parseJsonImport(body);
  } catch (e) {
    throw new InvalidError('import body is not valid', [
      { field: 'documents', message: (e as Error).message },
    ]);
  }
}
