import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import { AppConfig } from '@app/config';
import { InvalidError, type Page, type Principal } from '@app/core';
import {
  DocumentsService,
  SearchService,
  type DocumentDto,
  type DocumentVersionDto,
  helpArticleUrl,
  type SearchHit,
} from '@app/knowledge';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { PageQueryDto } from '../http/page-query.dto';
import { IF_MATCH_HEADER } from '../http/routes';
import { ApiProblems, ProblemSchema } from '../http/problem.schema';
import {
  CreateDocumentDto,
  DocumentPage,
  DocumentResponse,
  DocumentVersionPage,
  DocumentVersionResponse,
  ListDocumentsQuery,
  SearchPage,
  UpdateDocumentDto,
} from './documents.dto';

const ID_PARAM = { name: 'id', description: 'Document id (UUID) or slug', example: 'reset-password' };

@ApiTags('documents')
@ApiBearerAuth()
@ApiProblems()
@ApiExtraModels(DocumentPage, SearchPage)
@Controller('api/v1/documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly searchService: SearchService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @RequireScopes('kb:read')
  @ApiOperation({
    summary: 'List documents (most recently changed first), or search them with q (best match first)',
  })
  @ApiOkResponse({
    description: 'Without q: a page of documents. With q: a page of ranked search hits.',
    schema: { oneOf: [{ $ref: getSchemaPath(DocumentPage) }, { $ref: getSchemaPath(SearchPage) }] },
  })
  async list(
    @Query() query: ListDocumentsQuery,
  ): Promise<Page<DocumentDto> | Page<SearchHit & { url: string | null }>> {
    const { q, tag, ...rest } = query;
    if (q !== undefined && q.trim()) {
      const page = await this.searchService.search({ query: q, tags: tag ? [tag] : undefined, ...rest });
      return {
        ...page,
        items: page.items.map((h) => ({
          ...h,
          url: h.status === 'published' ? helpArticleUrl(this.config.publicUrl, h.slug) : null,
        })),
      };
    }
    return this.documents.list({ tag, ...rest });
  }

  @Post()
  @RequireScopes('kb:write')
  @ApiOperation({ summary: 'Create a document (version 1)' })
  @ApiCreatedResponse({ type: DocumentResponse })
  @ApiConflictResponse({ type: ProblemSchema, description: 'The slug is taken' })
  create(@Body() body: CreateDocumentDto, @CurrentPrincipal() actor: Principal): Promise<DocumentDto> {
    return this.documents.create(body, actor);
  }

  @Get(':id')
  @RequireScopes('kb:read')
  @ApiOperation({ summary: 'One document by id or slug' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DocumentResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  get(@Param('id') id: string): Promise<DocumentDto> {
    return this.documents.getByIdOrSlug(id);
  }

  @Patch(':id')
  @RequireScopes('kb:write')
  @ApiOperation({
    summary: 'Change a document; with If-Match (or expectedVersion) only if nobody changed it since',
  })
  @ApiParam(ID_PARAM)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: DocumentResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({
    type: ProblemSchema,
    description: 'Stale version (body has currentVersion) or slug taken',
  })
  update(
    @Param('id') id: string,
    @Body() body: UpdateDocumentDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<DocumentDto> {
    return this.documents.update(id, withIfMatch(body, ifMatch), actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('kb:write')
  @ApiOperation({ summary: 'Delete a document and its history' })
  @ApiParam(ID_PARAM)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Stale version (body has currentVersion)' })
  async remove(
    @Param('id') id: string,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<void> {
    await this.documents.delete(id, ifMatch, actor);
  }

  @Get(':id/versions')
  @RequireScopes('kb:read')
  @ApiOperation({ summary: 'Version history of a document, newest first' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DocumentVersionPage })
  @ApiNotFoundResponse({ type: ProblemSchema })
  versions(@Param('id') id: string, @Query() page: PageQueryDto): Promise<Page<DocumentVersionDto>> {
    return this.documents.versions(id, page);
  }

  @Get(':id/versions/:version')
  @RequireScopes('kb:read')
  @ApiOperation({ summary: 'One past version of a document' })
  @ApiParam(ID_PARAM)
  @ApiParam({ name: 'version', example: 2 })
  @ApiOkResponse({ type: DocumentVersionResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  version(@Param('id') id: string, @Param('version') version: string): Promise<DocumentVersionDto> {
    if (!/^\d{1,9}$/.test(version) || Number(version) < 1) {
      throw new InvalidError('the version must be a positive integer', [
        { field: 'version', message: 'must be a positive integer' },
      ]);
    }
    return this.documents.getVersion(id, Number(version));
  }
}
