import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Page, Principal } from '@app/core';
import { DocumentReviewService, type DocumentDraftDto, type DocumentDto } from '@app/knowledge';
import { ApiProblems, ProblemSchema } from '../http/problem.schema';
import { DeleteRoute, GetRoute, ListRoute } from '../http/routes';
import {
  DocumentDraftPage,
  DocumentDraftResponse,
  DocumentResponse,
  ListDraftsQuery,
  PublishDraftDto,
} from './documents.dto';

const DRAFT_PARAM = { name: 'id', description: 'Draft id (UUID)' };

/**
 * The review queue (MCP_REVIEW_ROLES): edits to published articles made by callers whose edits
 * go to review wait here until an admin publishes or discards them.
 */
@ApiTags('documents')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/document-drafts')
export class DocumentDraftsController {
  constructor(private readonly review: DocumentReviewService) {}

  @ListRoute('Edits waiting for review, newest first', DocumentDraftPage)
  @RequireScopes('kb:read')
  list(
    @Query() query: ListDraftsQuery,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<Page<DocumentDraftDto>> {
    return this.review.list(viewer, query);
  }

  @GetRoute('One pending draft, with its full text', DocumentDraftResponse)
  @RequireScopes('kb:read')
  @ApiParam(DRAFT_PARAM)
  get(@Param('id') id: string, @CurrentPrincipal() viewer: Principal): Promise<DocumentDraftDto> {
    return this.review.get(viewer, id);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({ summary: "Publish a draft as the article's next version (the draft goes)" })
  @ApiParam(DRAFT_PARAM)
  @ApiOkResponse({ type: DocumentResponse })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({
    type: ProblemSchema,
    description: 'The article changed since the draft was based on it',
  })
  publish(
    @Param('id') id: string,
    @Body() body: PublishDraftDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<DocumentDto> {
    return this.review.publish(actor, id, body);
  }

  @DeleteRoute('Discard a draft (the article does not change)', 'Discarded')
  @RequireScopes('admin')
  @ApiParam(DRAFT_PARAM)
  async discard(@Param('id') id: string, @CurrentPrincipal() actor: Principal): Promise<void> {
    await this.review.discard(actor, id);
  }
}
