import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { DomainError } from '@app/core';
import { DocumentsService, SLUG_PATTERN, SearchService } from '@app/knowledge';
import { renderArticleHtml, safeSnippet } from './article-html';
import { articlePage, errorPage, indexPage, notFoundPage, searchPage } from './help-pages';

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The public, read-only help center (contract 3a): published articles only, server-rendered and
 * sanitized, readable without script. Drafts and archived articles are 404 here.
 */
@Public()
@ApiExcludeController()
@Controller('help')
export class HelpController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly search: SearchService,
  ) {}

  @Get()
  async index(@Query('cursor') cursor: string | undefined, @Res() res: Response): Promise<void> {
    await this.send(res, async () => {
      const page = await this.documents.list({ status: 'published', limit: 100, cursor: cursor ?? null });
      return indexPage(page.items, page.nextCursor);
    });
  }

  @Get('search')
  async find(
    @Query('q') q: unknown,
    @Query('cursor') cursor: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.send(res, async () => {
      const query = typeof q === 'string' ? q.trim() : '';
      if (!query) return searchPage('', [], null);
      const hits = await this.search.search({
        query,
        status: 'published',
        limit: 20,
        cursor: cursor ?? null,
      });
      return searchPage(
        query,
        hits.items.map((h) => ({ slug: h.slug, title: h.title, snippetHtml: safeSnippet(h.snippet) })),
        hits.nextCursor,
      );
    });
  }

  @Get(':slug')
  async article(@Param('slug') slug: string, @Res() res: Response): Promise<void> {
    await this.send(res, async () => {
      if (slug.length > 120 || !SLUG_PATTERN.test(slug)) return null;
      const doc = await this.documents.getBySlug(slug);
      if (doc.status !== 'published') return null;
      return articlePage({ ...doc, html: renderArticleHtml(doc.body) });
    });
  }

  private async send(res: Response, render: () => Promise<string | null>): Promise<void> {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('html');
    let html: string | null;
    try {
      html = await render();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      if (e.kind === 'invalid') {
        res.status(400).send(errorPage(e.message));
        return;
      }
      html = null;
    }
    if (html === null) {
      res.status(404).send(notFoundPage());
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.status(200).send(html);
  }
}
