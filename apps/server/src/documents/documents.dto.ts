import { ApiProperty } from '@nestjs/swagger';
import { createZodDto } from '../http/zod-dto';
import { z } from 'zod';
import {
  DOCUMENT_STATUSES,
  MAX_QUERY_LENGTH,
  createDocumentSchema,
  documentDraftPageSchema,
  documentDraftSchema,
  documentPageSchema,
  documentSchema,
  documentVersionPageSchema,
  documentVersionSchema,
  listDocumentsSchema,
  publishDraftSchema,
  updateDocumentSchema,
  type DocumentStatusName,
  type SearchHit,
} from '@app/knowledge';
import { cursorSchema, limitSchema } from '@app/core';
import { asQuery } from '../http/query';

const UUID_EXAMPLE = '7d1f6c2e-3b8a-4f0e-9c55-2a9e4b6d8f10';

/** REST shapes of documents, derived from the schemas in @app/knowledge. */
export class DocumentResponse extends createZodDto(documentSchema) {}
export class DocumentVersionResponse extends createZodDto(documentVersionSchema) {}
export class DocumentPage extends createZodDto(documentPageSchema) {}
export class DocumentVersionPage extends createZodDto(documentVersionPageSchema) {}
export class CreateDocumentDto extends createZodDto(createDocumentSchema) {}
export class UpdateDocumentDto extends createZodDto(updateDocumentSchema) {}

/** With q, items are ranked search hits with a highlighted snippet. */
export class ListDocumentsQuery extends createZodDto(
  asQuery(
    listDocumentsSchema.extend({
      q: z
        .string()
        .max(MAX_QUERY_LENGTH)
        .optional()
        .meta({
          example: 'reset password -sso',
          description:
            'Full-text search: keywords or a question; "quoted phrase" must appear, -word excludes. ' +
            'With q, items are ranked search hits with a highlighted snippet.',
        }),
    }),
  ),
) {}

export class SearchHitResponse implements SearchHit {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) documentId!: string;
  @ApiProperty({ example: 'reset-password' }) slug!: string;
  @ApiProperty({ example: 'How to reset your password' }) title!: string;
  @ApiProperty({ example: 'kb://documents/reset-password' }) uri!: string;
  @ApiProperty({
    example:
      'Open Settings → Security and choose <mark>Reset</mark> <mark>password</mark> … the link expires',
    description: 'Best passage, matches wrapped in <mark>…</mark>',
  })
  snippet!: string;
  @ApiProperty({ example: 7.8123, description: 'BM25 score of the best passage (higher is better)' })
  score!: number;
  @ApiProperty({ type: String, nullable: true, example: 'Reset', description: 'Heading of the passage' })
  heading!: string | null;
  @ApiProperty({ format: 'uuid' }) chunkId!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true }) collection!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatusName;
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://desk.example.com/help/reset-password',
    description: 'Public help-center page of a published article (null otherwise), for citations',
  })
  url!: string | null;
}

export class SearchPage {
  @ApiProperty({ type: [SearchHitResponse], description: 'Best match first' }) items!: SearchHitResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DocumentDraftResponse extends createZodDto(documentDraftSchema) {}
export class DocumentDraftPage extends createZodDto(documentDraftPageSchema) {}
export class PublishDraftDto extends createZodDto(publishDraftSchema) {}
export class ListDraftsQuery extends createZodDto(
  asQuery(
    z.strictObject({
      documentId: z
        .string()
        .max(200)
        .optional()
        .meta({ description: 'Only drafts of this document (id or slug)', example: 'reset-password' }),
      limit: limitSchema.optional(),
      cursor: cursorSchema.nullable().optional(),
    }),
  ),
) {}
