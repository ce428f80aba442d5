import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  VersionConflictError,
  clampLimit,
  parseInput,
  decodeCursor,
  toPage,
  type Page,
  type Principal,
  isUuid,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { appendEvent, appendEvents, changedFields, versionedUpdate } from '@app/events';
import { writeAudit, writeAudits, type AuditEntry } from '@app/observability';
import {
  normalizeTags,
  toDocumentDraftDto,
  toDocumentDto,
  toDocumentVersionDto,
  updateDocumentSchema,
  validateDocumentFields,
  type CreateDocumentInput,
  type DocumentDraftDto,
  type DocumentDto,
  type DocumentRow,
  type DocumentVersionDto,
  type ListDocumentsInput,
  type UpdateDocumentInput,
} from './document.types';
import { DOCUMENT_DRAFT_EVENTS, DOCUMENT_EVENTS, DOCUMENTS_TOPIC } from './events';
import { SearchIndexer } from './search-indexer';

type ListCursor = [string, string];
const isListCursor = (v: unknown): v is ListCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string') && !isNaN(Date.parse(v[0]));
const isVersionCursor = (v: unknown): v is number => Number.isInteger(v);

/**
 * Documents: create, update, delete with optimistic versions, a version row per change, one
 * outbox event and one audit row per change, all in one transaction. After the commit, the
 * change is applied to this process's search index before the call returns (read-your-writes);
 * other instances apply it from the outbox.
 */
/** Options of a write. */
export interface WriteOptions {
  /**
   * Runs inside the write's transaction after the write (an import saves its checkpoint there,
   * so the checkpoint and the documents it counts commit together). Runs again if the
   * transaction is retried.
   */
  within?: (tx: Tx) => Promise<void>;
}

@Injectable()
export class DocumentsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly indexer: SearchIndexer,
    private readonly config: AppConfig,
  ) {}

  async create(input: CreateDocumentInput, actor: Principal, opts: WriteOptions = {}): Promise<DocumentDto> {
    const [doc] = await this.createMany([input], actor, opts);
    return doc;
  }

  /**
   * Creates several documents in one transaction (all or nothing) with set-based statements:
   * one multi-row insert each for the documents, their first versions, their outbox events
   * (one per document) and their audit rows. The fast path for imports and bulk loads.
   */
  async createMany(
    inputs: CreateDocumentInput[],
    actor: Principal,
    opts: WriteOptions = {},
  ): Promise<DocumentDto[]> {
    const { documents, indexed } = await this.createManyIndexing(inputs, actor, opts);
    await indexed;
    return documents;
  }

  /**
   * createMany, returning once the transaction has committed, with the application to this
   * process's search index still under way (`indexed`): a bulk import overlaps indexing one
   * batch with the next batch's transaction, and waits for `indexed` before it completes.
   */
  async createManyIndexing(
    inputs: CreateDocumentInput[],
    actor: Principal,
    opts: WriteOptions = {},
  ): Promise<{ documents: DocumentDto[]; indexed: Promise<void> }> {
    if (this.goesToReview(actor) && inputs.some((i) => i.status === 'published')) throw publishNeedsReview();
    const seen = new Set<string>();
    inputs.forEach((input, i) => {
      validateDocumentFields(input, true, inputs.length > 1 ? `document ${i + 1} is not valid` : undefined);
      if (seen.has(input.slug)) throw slugTaken(input.slug);
      seen.add(input.slug);
    });
    if (!inputs.length) return { documents: [], indexed: Promise.resolve() };
    const now = new Date();
    const rows = inputs.map((input) => ({
      id: randomUUID(),
      slug: input.slug,
      title: input.title.trim(),
      body: input.body,
      tags: normalizeTags(input.tags ?? []),
      collection: input.collection?.trim() || null,
      status: input.status ?? 'draft',
      authorId: actor.userId,
      createdAt: now,
      updatedAt: now,
    }));
    const docs = await this.uniqueSlugs(() =>
      this.db.transaction(
        async (tx) => {
          const taken = await tx.$queryRawUnsafe<{ slug: string }[]>(
            `SELECT slug FROM document WHERE slug = ANY($1::text[]) LIMIT 1`,
            rows.map((r) => r.slug),
          );
          if (taken.length) throw slugTaken(taken[0].slug);
          await insertDocuments(tx, rows);
          const dtos = rows.map((r) => toDocumentDto({ ...r, version: 1 }));
          await this.recordMany(tx, 'created', dtos, actor);
          await opts.within?.(tx);
          return dtos;
        },
        { timeoutMs: 60000 + inputs.length * 20 },
      ),
    );
    const indexed = this.indexer.applyDocuments(docs);
    // Handled here too, so a failure before the caller awaits it is not an unhandled rejection.
    indexed.catch(() => undefined);
    return { documents: docs, indexed };
  }

  /**
   * The write recipe (libs/events/src/write-recipe.ts): the row is locked, the version checked,
   * and a change that changes nothing returns the document as it is (no version, event or audit).
   */
  async update(
    idOrSlug: string,
    input: UpdateDocumentInput,
    actor: Principal,
    opts: WriteOptions = {},
  ): Promise<DocumentDto> {
    return (await this.edit(idOrSlug, input, actor, opts)).document;
  }

  /**
   * {@link update}, under the review policy: when the caller's edits go to review
   * (MCP_REVIEW_ROLES), a change to a published article is kept as a pending draft and the
   * article is returned as it is, with the draft; publishing is refused to such callers.
   */
  async edit(
    idOrSlug: string,
    input: UpdateDocumentInput,
    actor: Principal,
    opts: WriteOptions = {},
  ): Promise<{ document: DocumentDto; draft: DocumentDraftDto | null }> {
    validateDocumentFields(input, false, 'document update is not valid');
    if (
      input.expectedVersion !== undefined &&
      (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1)
    ) {
      throw new InvalidError('document update is not valid', [
        { field: 'expectedVersion', message: 'must be a positive integer' },
      ]);
    }
    const review = this.goesToReview(actor);
    const result = await this.uniqueSlugs(() =>
      this.db.transaction(async (tx) => {
        let out: { document: DocumentDto; draft: DocumentDraftDto | null } | null = null;
        if (review) {
          const current = await this.find(tx, idOrSlug);
          if (current.status === 'published') out = await this.propose(tx, current, input, actor);
          else if (input.status === 'published') throw publishNeedsReview();
        }
        out ??= { document: await this.updateIn(tx, idOrSlug, input, actor), draft: null };
        await opts.within?.(tx);
        return out;
      }),
    );
    if (!result.draft) await this.indexer.applyDocuments([result.document]);
    return result;
  }

  /**
   * The update itself, inside the caller's transaction (no review policy), by the write recipe
   * (libs/events/src/write-recipe.ts): the row is locked, the version checked, and a change that
   * changes nothing returns the document as it is (no version, event or audit entry). The caller
   * applies the returned document to the search index after the commit.
   */
  async updateIn(
    tx: Tx,
    idOrSlug: string,
    input: UpdateDocumentInput,
    actor: Principal,
  ): Promise<DocumentDto> {
    const { expectedVersion, ...wanted } = parseInput(updateDocumentSchema, input, 'document update');
    const current = await this.lock(tx, idOrSlug);
    const { row } = await versionedUpdate(tx, {
      entity: 'document',
      key: current.id,
      current,
      expectedVersion,
      plan: async () => {
        const changes = changedFields(current, wanted);
        if (changes.slug !== undefined && (await tx.document.findUnique({ where: { slug: changes.slug } })))
          throw slugTaken(changes.slug);
        return changes;
      },
      save: async (data) => {
        const doc = await tx.document.update({ where: { id: current.id }, data });
        await this.writeVersion(tx, doc);
        return doc;
      },
      change: (doc) => ({
        ...changeEvent('updated', toDocumentDto(doc), actor),
        audit: { action: 'document.update', targetType: 'document', targetId: doc.id, detail: doc.slug },
      }),
    });
    return toDocumentDto(row);
  }

  /** Whether this caller's edits to published articles go to review (MCP_REVIEW_ROLES). */
  goesToReview(actor: Principal): boolean {
    return actor.channel === 'mcp' && !!actor.role && this.config.mcpReviewRoles.includes(actor.role);
  }

  /** Keeps an edit of a published article as a pending draft; the article does not change. */
  private async propose(
    tx: Tx,
    current: DocumentRow,
    input: UpdateDocumentInput,
    actor: Principal,
  ): Promise<{ document: DocumentDto; draft: DocumentDraftDto }> {
    if (input.status !== undefined && input.status !== 'published') {
      throw new ForbiddenError(
        `changing the status of a published article needs an admin; it stays published (an admin can change it)`,
      );
    }
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw new VersionConflictError('document', current.id, input.expectedVersion, current.version);
    }
    const row = await tx.documentDraft.create({
      data: {
        documentId: current.id,
        baseVersion: current.version,
        slug: input.slug ?? current.slug,
        title: input.title?.trim() ?? current.title,
        body: input.body ?? current.body,
        tags: input.tags !== undefined ? normalizeTags(input.tags) : current.tags,
        collection: input.collection !== undefined ? input.collection?.trim() || null : current.collection,
        authorId: actor.userId,
      },
    });
    const draft = toDocumentDraftDto(row);
    await this.recordDraft(tx, 'submitted', draft, actor);
    return { document: toDocumentDto(current), draft };
  }

  /** The outbox event and audit row of a review step (no body or slug in the event: see DOCUMENT_DRAFT_EVENTS). */
  async recordDraft(
    tx: Tx,
    step: keyof typeof DOCUMENT_DRAFT_EVENTS,
    draft: DocumentDraftDto,
    actor: Principal,
  ): Promise<void> {
    await appendEvent(tx, {
      topic: DOCUMENTS_TOPIC,
      event: DOCUMENT_DRAFT_EVENTS[step],
      entityId: draft.documentId,
      data: {
        draftId: draft.id,
        documentId: draft.documentId,
        baseVersion: draft.baseVersion,
        title: draft.title,
        authorId: draft.authorId,
      },
      actor,
    });
    await writeAudit(tx, {
      actor,
      action: `document.draft_${step === 'submitted' ? 'submit' : step === 'published' ? 'publish' : 'discard'}`,
      targetType: 'document',
      targetId: draft.documentId,
      outcome: 'success',
      detail: `draft ${draft.id} (based on version ${draft.baseVersion})`,
    });
  }

  /** Hard delete (versions and chunks go with it). */
  async delete(idOrSlug: string, expectedVersion: number | undefined, actor: Principal): Promise<void> {
    const id = await this.db.transaction(async (tx) => {
      // Lock the row first, so the version check holds until the delete.
      const locked = await this.lock(tx, idOrSlug);
      if (expectedVersion !== undefined && expectedVersion !== locked.version) {
        throw new VersionConflictError('document', locked.id, expectedVersion, locked.version);
      }
      await tx.document.delete({ where: { id: locked.id } });
      await this.record(tx, 'deleted', toDocumentDto(locked), actor);
      return locked.id;
    });
    await this.indexer.applyDeletion(id);
  }

  async get(id: string): Promise<DocumentDto> {
    const doc = isUuid(id) ? await this.db.prisma.document.findUnique({ where: { id } }) : null;
    if (!doc) throw new NotFoundError('document', id);
    return toDocumentDto(doc);
  }

  async getBySlug(slug: string): Promise<DocumentDto> {
    const doc = await this.db.prisma.document.findUnique({ where: { slug } });
    if (!doc) throw new NotFoundError('document', slug);
    return toDocumentDto(doc);
  }

  /** A document by UUID or by slug. */
  async getByIdOrSlug(idOrSlug: string): Promise<DocumentDto> {
    return toDocumentDto(await this.find(this.db.prisma, idOrSlug));
  }

  /** Newest change first; keyset by (updatedAt desc, id desc). */
  async list(input: ListDocumentsInput = {}): Promise<Page<DocumentDto>> {
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isListCursor);
    const at = after ? new Date(after[0]) : null;
    const rows = await this.db.prisma.document.findMany({
      where: {
        AND: [
          input.status ? { status: input.status } : {},
          input.tag ? { tags: { has: input.tag.trim().toLowerCase() } } : {},
          input.collection ? { collection: input.collection } : {},
          at && after ? { OR: [{ updatedAt: { lt: at } }, { updatedAt: at, id: { lt: after[1] } }] } : {},
        ],
      },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    return toPage(rows, limit, toDocumentDto, (r) => [r.updatedAt.toISOString(), r.id]);
  }

  /** Slugs starting with `prefix` (case-insensitive), alphabetical: for argument completion. */
  async slugsStartingWith(prefix: string, limit: number): Promise<string[]> {
    const rows = await this.db.prisma.document.findMany({
      where: { slug: { startsWith: prefix.toLowerCase() } },
      orderBy: { slug: 'asc' },
      take: limit,
      select: { slug: true },
    });
    return rows.map((r) => r.slug);
  }

  /** Version history, newest first; the cursor is the last version seen. */
  async versions(
    idOrSlug: string,
    page: { limit?: number; cursor?: string | null } = {},
  ): Promise<Page<DocumentVersionDto>> {
    const limit = clampLimit(page.limit);
    const before = decodeCursor(page.cursor, isVersionCursor);
    const doc = await this.find(this.db.prisma, idOrSlug);
    const rows = await this.db.prisma.documentVersion.findMany({
      where: { documentId: doc.id, ...(before !== null ? { version: { lt: before } } : {}) },
      orderBy: { version: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, toDocumentVersionDto, (r) => r.version);
  }

  async getVersion(idOrSlug: string, version: number): Promise<DocumentVersionDto> {
    const doc = await this.find(this.db.prisma, idOrSlug);
    const row = await this.db.prisma.documentVersion.findUnique({
      where: { documentId_version: { documentId: doc.id, version } },
    });
    if (!row) throw new NotFoundError('document version', `${doc.slug}@${version}`);
    return toDocumentVersionDto(row);
  }

  /**
   * Writes an earlier version's content (title, body, tags, collection) as a new version, so the
   * history keeps every step. Slug and status stay as they are now; `expectedVersion` is the
   * current version the caller saw. Under the review policy it becomes a pending draft, as {@link edit}.
   */
  async restore(
    idOrSlug: string,
    version: number,
    expectedVersion: number | undefined,
    actor: Principal,
  ): Promise<{ document: DocumentDto; draft: DocumentDraftDto | null }> {
    const old = await this.getVersion(idOrSlug, version);
    return this.edit(
      old.documentId,
      { title: old.title, body: old.body, tags: old.tags, collection: old.collection, expectedVersion },
      actor,
    );
  }

  private async find(client: Tx | DatabaseService['prisma'], idOrSlug: string): Promise<DocumentRow> {
    // A slug may itself look like a UUID, so fall back to the slug lookup.
    const doc =
      (isUuid(idOrSlug)
        ? await client.document.findUnique({ where: { id: idOrSlug.toLowerCase() } })
        : null) ?? (await client.document.findUnique({ where: { slug: idOrSlug } }));
    if (!doc) throw new NotFoundError('document', idOrSlug);
    return doc;
  }

  /** Reads the document under a row lock (concurrent writers to it run one after the other). */
  private async lock(tx: Tx, idOrSlug: string): Promise<DocumentRow> {
    const found = await this.find(tx, idOrSlug);
    await tx.$queryRaw`SELECT id FROM document WHERE id = ${found.id}::uuid FOR UPDATE`;
    return this.find(tx, found.id);
  }

  private async writeVersion(tx: Tx, doc: DocumentRow): Promise<void> {
    await tx.documentVersion.create({
      data: {
        documentId: doc.id,
        version: doc.version,
        slug: doc.slug,
        title: doc.title,
        body: doc.body,
        tags: doc.tags,
        collection: doc.collection,
        status: doc.status,
        authorId: doc.authorId,
      },
    });
  }

  /** The outbox event and the audit row of one change. */
  private async record(
    tx: Tx,
    change: 'created' | 'updated' | 'deleted',
    dto: DocumentDto,
    actor: Principal,
  ) {
    await appendEvent(tx, changeEvent(change, dto, actor));
    await writeAudit(tx, changeAudit(change, dto, actor));
  }

  /** One outbox event and one audit row per document, each set in one statement. */
  private async recordMany(tx: Tx, change: 'created' | 'updated', dtos: DocumentDto[], actor: Principal) {
    await appendEvents(
      tx,
      dtos.map((dto) => changeEvent(change, dto, actor)),
    );
    await writeAudits(
      tx,
      dtos.map((dto) => changeAudit(change, dto, actor)),
    );
  }

  /** A concurrent writer may take a slug between our check and our insert: report it the same way. */
  private async uniqueSlugs<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
        throw new ConflictError('a document with this slug already exists', { field: 'slug' });
      }
      throw e;
    }
  }
}

type Change = 'created' | 'updated' | 'deleted';

/**
 * Inserts new documents and their version-1 rows in one statement (column arrays, not a parameter
 * per value; each document's tags as one array literal, cast per row).
 */
async function insertDocuments(tx: Tx, rows: (Omit<DocumentRow, 'version'> & { authorId: string | null })[]) {
  await tx.$executeRawUnsafe(
    `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::uuid[])
         AS x(id, slug, title, body, tags, collection, status, author_id)
     ),
     d AS (
       INSERT INTO document (id, slug, title, body, tags, collection, status, version, author_id, created_at, updated_at)
       SELECT id, slug, title, body, tags::text[], collection, status::"DocumentStatus", 1, author_id, $9, $9
         FROM x
     )
     INSERT INTO document_version (id, document_id, version, slug, title, body, tags, collection, status, author_id, created_at)
     SELECT gen_random_uuid(), id, 1, slug, title, body, tags::text[], collection, status::"DocumentStatus", author_id, $9
       FROM x`,
    rows.map((r) => r.id),
    rows.map((r) => r.slug),
    rows.map((r) => r.title),
    rows.map((r) => r.body),
    rows.map((r) => arrayLiteral(r.tags)),
    rows.map((r) => r.collection),
    rows.map((r) => r.status),
    rows.map((r) => r.authorId),
    rows[0].createdAt,
  );
}

/** A Postgres array literal of strings: each element quoted, `"` and `\\` escaped. */
const arrayLiteral = (items: readonly string[]): string =>
  `{${items.map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

const changeEvent = (change: Change, dto: DocumentDto, actor: Principal) => ({
  topic: DOCUMENTS_TOPIC,
  event: DOCUMENT_EVENTS[change],
  entityId: dto.id,
  data: dto,
  actor,
});

const changeAudit = (change: Change, dto: DocumentDto, actor: Principal): AuditEntry => ({
  actor,
  action: `document.${change === 'created' ? 'create' : change === 'updated' ? 'update' : 'delete'}`,
  targetType: 'document',
  targetId: dto.id,
  outcome: 'success',
  detail: dto.slug,
});

const publishNeedsReview = () =>
  new ForbiddenError(
    'publishing needs an admin’s review for this caller: save it with status "draft" (an admin publishes it)',
  );

const slugTaken = (slug: string) =>
  new ConflictError(`a document with slug "${slug}" already exists`, { field: 'slug', slug });
