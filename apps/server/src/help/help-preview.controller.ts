import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from '../http/zod-dto';
import { z } from 'zod';
import { RequireScopes } from '@app/auth';
import { documentFields } from '@app/knowledge';
import { ApiProblems } from '../http/problem.schema';
import { renderArticleHtml } from './article-html';
import { articlePage } from './help-pages';

const previewSchema = z.strictObject({
  title: documentFields.title,
  body: documentFields.body,
  slug: documentFields.slug.optional(),
  tags: documentFields.tags.default([]),
  collection: documentFields.collection.optional(),
});
export class ArticlePreviewDto extends createZodDto(previewSchema) {}
export class ArticlePreviewResponse extends createZodDto(
  z.object({
    html: z.string().meta({
      description: 'The complete help-center page (sanitized, no script); show it in a sandboxed frame',
    }),
  }),
) {}

/**
 * The customer's view of an article before it is published or saved: the same renderer and
 * page as the public help center (/help), from the editor's current text.
 */
@ApiTags('documents')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/help/preview')
export class HelpPreviewController {
  @Post()
  @HttpCode(200)
  @RequireScopes('kb:read')
  @ApiOperation({ summary: 'Render an article as the public help center would show it' })
  @ApiOkResponse({ type: ArticlePreviewResponse })
  preview(@Body() body: ArticlePreviewDto): { html: string } {
    return {
      html: articlePage({
        slug: body.slug ?? 'preview',
        title: body.title,
        collection: body.collection ?? null,
        updatedAt: new Date().toISOString(),
        tags: body.tags,
        html: renderArticleHtml(body.body),
      }),
    };
  }
}
