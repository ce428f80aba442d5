import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  InvalidError,
  NotFoundError,
  assertScopes,
  isUuid,
  isoDateTime,
  jsonDates,
  userRefSchema,
  uuidSchema,
  type Principal,
  type Scope,
} from '@app/core';
import { DatabaseService, type Prisma, type Tx } from '@app/database';
import { writeAudit, type AuditAction } from '@app/observability';
import { contentTypeOf, refusalOf, safeFilename } from './attachment-safety';

/** Bytes per file (multipart limit at the door: a larger upload is cut off with 413). */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** Files per ticket or document. */
export const ATTACHMENTS_PER_TARGET_MAX = 50;

export type AttachmentTarget = { kind: 'ticket'; number: number } | { kind: 'document'; id: string };

export const attachmentSchema = z.object({
  id: uuidSchema,
  filename: z.string().meta({ example: 'screenshot.png' }),
  contentType: z.string().meta({
    example: 'image/png',
    description:
      'From the file’s bytes for images; otherwise the declared type if it is a common document type, else application/octet-stream',
  }),
  size: z.number().int().meta({ description: 'Bytes' }),
  sha256: z.string(),
  ticketNumber: z.number().int().nullable(),
  documentId: uuidSchema.nullable(),
  uploadedBy: userRefSchema.nullable(),
  createdAt: isoDateTime,
  url: z.string().meta({
    example: '/api/v1/attachments/3f2c9a52-8d1e-4c61-9a0b-6f1d2e7c4b10',
    description: 'Download (same scopes as the record it is attached to)',
  }),
});
export type AttachmentDto = z.infer<typeof attachmentSchema>;
export const attachmentListSchema = z.object({ items: z.array(attachmentSchema) });

const META = {
  id: true,
  filename: true,
  contentType: true,
  size: true,
  sha256: true,
  ticketId: true,
  documentId: true,
  createdAt: true,
  ticket: { select: { number: true } },
  uploadedBy: { select: { id: true, email: true, name: true } },
} as const satisfies Prisma.AttachmentSelect;
type AttachmentMeta = Prisma.AttachmentGetPayload<{ select: typeof META }>;

const toDto = (row: AttachmentMeta): AttachmentDto => {
  const { ticket, ticketId: _t, ...rest } = row;
  return attachmentSchema.parse({
    ...(jsonDates(rest) as object),
    ticketNumber: ticket?.number ?? null,
    url: `/api/v1/attachments/${row.id}`,
  });
};

/** The scope to read and to change what is attached to a ticket or a document. */
const SCOPES: Record<AttachmentTarget['kind'], { read: Scope; write: Scope }> = {
  ticket: { read: 'tickets:read', write: 'tickets:write' },
  document: { read: 'kb:read', write: 'kb:write' },
};

export interface UploadedFile {
  originalname: string;
  mimetype?: string;
  buffer: Buffer;
}

/**
 * Files on tickets and documents, their bytes in the database. Scope-checked through the record
 * they belong to; names are sanitized, types decided from the bytes, programs and known malware
 * signatures refused; uploads and deletions are audited.
 */
@Injectable()
export class AttachmentsService {
  constructor(private readonly database: DatabaseService) {}

  async list(target: AttachmentTarget, viewer: Principal): Promise<{ items: AttachmentDto[] }> {
    assertScopes(viewer, [SCOPES[target.kind].read]);
    const where = await this.whereTarget(this.database.prisma, target);
    const rows = await this.database.prisma.attachment.findMany({
      where,
      select: META,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return { items: rows.map(toDto) };
  }

  async upload(
    target: AttachmentTarget,
    file: UploadedFile | undefined,
    actor: Principal,
  ): Promise<AttachmentDto> {
    assertScopes(actor, [SCOPES[target.kind].write]);
    if (!file)
      throw new InvalidError('no file was uploaded', [
        { field: 'file', message: 'send one file in the multipart field "file"' },
      ]);
    if (file.buffer.length > ATTACHMENT_MAX_BYTES) {
      throw new InvalidError('the file is too large', [
        { field: 'file', message: `at most ${ATTACHMENT_MAX_BYTES} bytes` },
      ]);
    }
    const filename = safeFilename(file.originalname ?? '');
    const refusal = refusalOf(file.buffer, filename);
    if (refusal)
      throw new InvalidError(`the file is not accepted: ${refusal}`, [{ field: 'file', message: refusal }]);
    return this.database.transaction(async (tx) => {
      const where = await this.whereTarget(tx, target, true);
      if ((await tx.attachment.count({ where })) >= ATTACHMENTS_PER_TARGET_MAX) {
        throw new InvalidError(`a ${target.kind} has at most ${ATTACHMENTS_PER_TARGET_MAX} attachments`, [
          { field: 'file', message: 'delete an attachment first' },
        ]);
      }
      const row = await tx.attachment.create({
        data: {
          ...where,
          filename,
          contentType: contentTypeOf(file.buffer, file.mimetype),
          size: file.buffer.length,
          sha256: createHash('sha256').update(file.buffer).digest('hex'),
          data: new Uint8Array(file.buffer),
          uploadedById: actor.userId,
        },
        select: META,
      });
      await audit(
        tx,
        actor,
        'attachment.upload',
        row.id,
        `${target.kind} ${targetKey(target)}: ${filename} (${row.size} bytes)`,
      );
      return toDto(row);
    });
  }

  /** The file and its bytes, for a caller who may read the record it is attached to. */
  async download(id: string, viewer: Principal): Promise<AttachmentDto & { data: Buffer }> {
    const row = isUuid(id)
      ? await this.database.prisma.attachment.findUnique({ where: { id }, select: { ...META, data: true } })
      : null;
    if (!row) throw new NotFoundError('attachment', id);
    assertScopes(viewer, [SCOPES[row.ticketId ? 'ticket' : 'document'].read]);
    const { data, ...meta } = row;
    return { ...toDto(meta), data: Buffer.from(data) };
  }

  async remove(id: string, actor: Principal): Promise<void> {
    await this.database.transaction(async (tx) => {
      const row = isUuid(id) ? await tx.attachment.findUnique({ where: { id }, select: META }) : null;
      if (!row) throw new NotFoundError('attachment', id);
      assertScopes(actor, [SCOPES[row.ticketId ? 'ticket' : 'document'].write]);
      await tx.attachment.delete({ where: { id } });
      await audit(tx, actor, 'attachment.delete', id, row.filename);
    });
  }

  /** The attachment rows' link to the target; 404 when the ticket or document does not exist. */
  private async whereTarget(
    db: Pick<Tx, 'ticket' | 'document' | '$queryRaw'>,
    target: AttachmentTarget,
    lock = false,
  ): Promise<{ ticketId: string } | { documentId: string }> {
    if (target.kind === 'ticket') {
      const t = Number.isInteger(target.number)
        ? await db.ticket.findUnique({ where: { number: target.number }, select: { id: true } })
        : null;
      if (!t) throw new NotFoundError('ticket', target.number);
      // Serialises uploads to one record so the per-record cap holds.
      if (lock) await db.$queryRaw`SELECT id FROM ticket WHERE id = ${t.id}::uuid FOR UPDATE`;
      return { ticketId: t.id };
    }
    const d = isUuid(target.id)
      ? await db.document.findUnique({ where: { id: target.id }, select: { id: true } })
      : null;
    if (!d) throw new NotFoundError('document', target.id);
    if (lock) await db.$queryRaw`SELECT id FROM document WHERE id = ${d.id}::uuid FOR UPDATE`;
    return { documentId: d.id };
  }
}

const targetKey = (t: AttachmentTarget) => (t.kind === 'ticket' ? `#${t.number}` : t.id);

const audit = (tx: Tx, actor: Principal, action: AuditAction, id: string, detail: string) =>
  writeAudit(tx, { actor, action, targetType: 'attachment', targetId: id, outcome: 'success', detail });
