import { Injectable } from '@nestjs/common';
import {
  NotFoundError,
  assertScopes,
  parseInput,
  clampLimit,
  decodeCursor,
  isUuid,
  toPage,
  type Page,
  type Principal,
} from '@app/core';
import { DatabaseService, type Tx } from '@app/database';
import {
  publishDraftSchema,
  toDocumentDraftDto,
  type DocumentDraftDto,
  type DocumentDto,
  type PublishDraftInput,
} from './document.types';
import { DocumentsService } from './documents.service';
import { SearchIndexer } from './search-indexer';

type Cursor = [string, string];
const isCursor = (v: unknown): v is Cursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string') && !isNaN(Date.parse(v[0]));

/**
 * The review queue of MCP_REVIEW_ROLES: edits to published articles kept as drafts. Admins list
 * them, publish one (it becomes the article's next version, in the same transaction as the
 * draft's removal) or discard it.
 */
@Injectable()
export class DocumentReviewService {
  constructor(
    private readonly db: DatabaseService,
    private readonly documents: DocumentsService,
    private readonly indexer: SearchIndexer,
  ) {}

  /** Pending drafts, newest first; of one document when `documentId` is given. */
  async list(
    viewer: Principal,
    input: { documentId?: string; limit?: number; cursor?: string | null } = {},
  ): Promise<Page<DocumentDraftDto>> {
    assertScopes(viewer, ['kb:read']);
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isCursor);
    const at = after ? new Date(after[0]) : null;
    const documentId = input.documentId
      ? (await this.documents.getByIdOrSlug(input.documentId)).id
      : undefined;
    const rows = await this.db.prisma.documentDraft.findMany({
      where: {
        ...(documentId ? { documentId } : {}),
        ...(at && after ? { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: after[1] } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    return toPage(rows, limit, toDocumentDraftDto, (r) => [r.createdAt.toISOString(), r.id]);
  }

  async get(viewer: Principal, id: string): Promise<DocumentDraftDto> {
    assertScopes(viewer, ['kb:read']);
    const row = isUuid(id) ? await this.db.prisma.documentDraft.findUnique({ where: { id } }) : null;
    if (!row) throw new NotFoundError('document draft', id);
    return toDocumentDraftDto(row);
  }

  /**
   * Publishes a draft as the article's next version. The article must still be at the version
   * the reviewer compared with (`expectedVersion`, default the draft's base): otherwise 409.
   */
  async publish(actor: Principal, id: string, raw: PublishDraftInput = {}): Promise<DocumentDto> {
    assertScopes(actor, ['admin']);
    const { expectedVersion } = parseInput(publishDraftSchema, raw, 'draft publication');
    const doc = await this.db.transaction(async (tx) => {
      const draft = await this.lock(tx, id);
      const dto = await this.documents.updateIn(
        tx,
        draft.documentId,
        {
          slug: draft.slug,
          title: draft.title,
          body: draft.body,
          tags: draft.tags,
          collection: draft.collection,
          status: 'published',
          expectedVersion: expectedVersion ?? draft.baseVersion,
        },
        actor,
      );
      await tx.documentDraft.delete({ where: { id: draft.id } });
      await this.documents.recordDraft(tx, 'published', draft, actor);
      return dto;
    });
    await this.indexer.applyDocuments([doc]);
    return doc;
  }

  async discard(actor: Principal, id: string): Promise<void> {
    assertScopes(actor, ['admin']);
    await this.db.transaction(async (tx) => {
      const draft = await this.lock(tx, id);
      await tx.documentDraft.delete({ where: { id: draft.id } });
      await this.documents.recordDraft(tx, 'discarded', draft, actor);
    });
  }

  private async lock(tx: Tx, id: string): Promise<DocumentDraftDto> {
    const locked = isUuid(id)
      ? await tx.$queryRaw<
          { id: string }[]
        >`SELECT id::text AS id FROM document_draft WHERE id = ${id}::uuid FOR UPDATE`
      : [];
    if (!locked.length) throw new NotFoundError('document draft', id);
    return toDocumentDraftDto(await tx.documentDraft.findUniqueOrThrow({ where: { id: locked[0].id } }));
  }
}
