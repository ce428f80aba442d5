import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ConflictError,
  InvalidError,
  NotFoundError,
  VersionConflictError,
  clampLimit,
  decodeCursor,
  toPage,
  type Page,
  type Principal,
  isUuid,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { appendEvent, appendEvents } from '@app/events';
import { writeAudit, writeAudits, type AuditEntry } from '@app/observability';
import {
  normalizeTags,
  toDocumentDto,
  toDocumentVersionDto,
  validateDocumentFields,
  type CreateDocumentInput,
  type DocumentDto,
  type DocumentRow,
  type DocumentVersionDto,
  type ListDocumentsInput,
  type UpdateDocumentInput,
} from './document.types';
import { DOCUMENT_EVENTS, DOCUMENTS_TOPIC } from './events';
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
@Injectable()
export class DocumentsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly indexer: SearchIndexer,
  ) {}

  async create(input: CreateDocumentInput, actor: Principal): Promise<DocumentDto> {
    const [doc] = await this.createMany([input], actor);
    return doc;
  }

  /**
   * Creates several documents in one transaction (all or nothing) with set-based statements:
   * one multi-row insert each for the documents, their first versions, their outbox events
   * (one per document) and their audit rows. The fast path for imports and bulk loads.
   */
  async createMany(inputs: CreateDocumentInput[], actor: Principal): Promise<DocumentDto[]> {
    const seen = new Set<string>();
    inputs.forEach((input, i) => {
      validateDocumentFields(input, true, inputs.length > 1 ? `document ${i + 1} is not valid` : undefined);
      if (seen.has(input.slug)) throw slugTaken(input.slug);
      seen.add(input.slug);
    });
    if (!inputs.length) return [];
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
          const taken = await tx.document.findMany({
            where: { slug: { in: rows.map((r) => r.slug) } },
            select: { slug: true },
          });
          if (taken.length) throw slugTaken(taken[0].slug);
          await insertDocuments(tx, rows);
          const dtos = rows.map((r) => toDocumentDto({ ...r, version: 1 }));
          await this.recordMany(tx, 'created', dtos, actor);
          return dtos;
        },
        { timeoutMs: 60000 + inputs.length * 20 },
      ),
    );
    await this.indexer.applyDocuments(docs);
    return docs;
  }

  async update(idOrSlug: string, input: UpdateDocumentInput, actor: Principal): Promise<DocumentDto> {
    validateDocumentFields(input, false, 'document update is not valid');
    if (
      input.expectedVersion !== undefined &&
      (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1)
    ) {
      throw new InvalidError('document update is not valid', [
        { field: 'expectedVersion', message: 'must be a positive integer' },
      ]);
    }
    const updated = await this.uniqueSlugs(() =>
      this.db.transaction(async (tx) => {
        let current = await this.find(tx, idOrSlug);
        if (input.expectedVersion === undefined) {
          // No version given: last writer wins, so wait for any concurrent writer and take its version.
          await tx.$queryRawUnsafe(`SELECT id FROM document WHERE id = $1::uuid FOR UPDATE`, current.id);
          current = await this.find(tx, current.id);
        }
        const expected = input.expectedVersion ?? current.version;
        if (input.slug !== undefined && input.slug !== current.slug) {
          if (await tx.document.findUnique({ where: { slug: input.slug }, select: { id: true } }))
            throw slugTaken(input.slug);
        }
        const data: Prisma.DocumentUpdateManyMutationInput = { version: { increment: 1 } };
        if (input.slug !== undefined) data.slug = input.slug;
        if (input.title !== undefined) data.title = input.title.trim();
        if (input.body !== undefined) data.body = input.body;
        if (input.tags !== undefined) data.tags = normalizeTags(input.tags);
        if (input.collection !== undefined) data.collection = input.collection?.trim() || null;
        if (input.status !== undefined) data.status = input.status;
        // The version check and the write are one statement: of two writers holding the same
        // version, the second matches no row (it waits for the first's row lock, then re-checks).
        const { count } = await tx.document.updateMany({
          where: { id: current.id, version: expected },
          data,
        });
        if (count === 0) {
          const now = await this.find(tx, current.id);
          throw new VersionConflictError('document', current.id, expected, now.version);
        }
        const doc = await this.find(tx, current.id);
        await this.writeVersion(tx, doc);
        const dto = toDocumentDto(doc);
        await this.record(tx, 'updated', dto, actor);
        return dto;
      }),
    );
    await this.indexer.applyDocuments([updated]);
    return updated;
  }

  /** Hard delete (versions and chunks go with it). */
  async delete(idOrSlug: string, expectedVersion: number | undefined, actor: Principal): Promise<void> {
    const id = await this.db.transaction(async (tx) => {
      const current = await this.find(tx, idOrSlug);
      // Lock the row first, so the version check holds until the delete.
      await tx.$queryRawUnsafe(`SELECT id FROM document WHERE id = $1::uuid FOR UPDATE`, current.id);
      const locked = await this.find(tx, current.id);
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

  private async find(client: Tx | DatabaseService['prisma'], idOrSlug: string): Promise<DocumentRow> {
    // A slug may itself look like a UUID, so fall back to the slug lookup.
    const doc =
      (isUuid(idOrSlug)
        ? await client.document.findUnique({ where: { id: idOrSlug.toLowerCase() } })
        : null) ?? (await client.document.findUnique({ where: { slug: idOrSlug } }));
    if (!doc) throw new NotFoundError('document', idOrSlug);
    return doc;
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

/** Inserts new documents and their version-1 rows in one statement (column arrays, not a parameter per value). */
async function insertDocuments(tx: Tx, rows: (Omit<DocumentRow, 'version'> & { authorId: string | null })[]) {
  await tx.$executeRawUnsafe(
    `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[],
                            $7::text[], $8::uuid[])
         AS x(id, slug, title, body, tags, collection, status, author_id)
     ),
     d AS (
       INSERT INTO document (id, slug, title, body, tags, collection, status, version, author_id, created_at, updated_at)
       SELECT id, slug, title, body, ARRAY(SELECT jsonb_array_elements_text(tags)), collection, status::"DocumentStatus", 1, author_id, $9, $9
         FROM x
     )
     INSERT INTO document_version (id, document_id, version, slug, title, body, tags, collection, status, author_id, created_at)
     SELECT gen_random_uuid(), id, 1, slug, title, body, ARRAY(SELECT jsonb_array_elements_text(tags)), collection, status::"DocumentStatus", author_id, $9
       FROM x`,
    rows.map((r) => r.id),
    rows.map((r) => r.slug),
    rows.map((r) => r.title),
    rows.map((r) => r.body),
    rows.map((r) => JSON.stringify(r.tags)),
    rows.map((r) => r.collection),
    rows.map((r) => r.status),
    rows.map((r) => r.authorId),
    rows[0].createdAt,
  );
}

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

const slugTaken = (slug: string) =>
  new ConflictError(`a document with slug "${slug}" already exists`, { field: 'slug', slug });
