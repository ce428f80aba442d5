import { z } from 'zod';
import {
  cursorSchema,
  isoDateTime,
  jsonDates,
  limitSchema,
  pageSchema,
  parseInput,
  uuidSchema,
} from '@app/core';
import { DocumentStatus, type Prisma } from '@app/database';

/**
 * The document's shapes, written once: the service validates with them, REST derives its DTOs
 * and OpenAPI from them, MCP uses them as tool schemas, the admin's types are generated from the
 * OpenAPI document. A new field goes here (and in prisma/schema.prisma).
 */

export const DOCUMENT_STATUSES = Object.values(DocumentStatus);
export type DocumentStatusName = DocumentStatus;

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._:/-]{0,49}$/;
export const LIMITS = { slug: 120, title: 300, bodyBytes: 200 * 1024, tags: 20, collection: 120 } as const;

export const documentStatusSchema = z.enum(DocumentStatus).meta({ example: 'published' });

/** Writable fields with their limits. */
export const documentFields = {
  slug: z
    .string()
    .max(LIMITS.slug)
    .regex(
      SLUG_PATTERN,
      'must be lower-case letters and digits separated by single hyphens (e.g. "reset-password")',
    )
    .meta({ example: 'reset-password', description: `unique; at most ${LIMITS.slug} characters` }),
  title: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.title)
    .meta({ example: 'How to reset your password', description: `1 to ${LIMITS.title} characters` }),
  body: z
    .string()
    .refine((b) => Buffer.byteLength(b, 'utf8') <= LIMITS.bodyBytes, {
      message: `must be Markdown text of at most ${LIMITS.bodyBytes / 1024} KB`,
    })
    .meta({
      example: '# Reset\n\nOpen **Settings → Security** and choose *Reset password*.',
      description: `Markdown, at most ${LIMITS.bodyBytes / 1024} KB`,
    }),
  tags: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(TAG_PATTERN, 'must be 1-50 characters of letters, digits and . _ : / -'),
    )
    .overwrite((tags) => [...new Set(tags)])
    .max(LIMITS.tags)
    .meta({
      example: ['account', 'login'],
      description: `Labels (lower-case letters, digits, . _ : / -), at most ${LIMITS.tags}; replaces the list`,
    }),
  collection: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.collection)
    .nullable()
    .meta({ example: 'help-center', description: 'null: in no collection' }),
  status: documentStatusSchema.meta({
    description: 'draft (not public), published (on the help center and in search) or archived',
  }),
};

export const createDocumentSchema = z.strictObject({
  ...documentFields,
  tags: documentFields.tags.default([]),
  collection: documentFields.collection.default(null),
  status: documentFields.status.default('draft'),
});
export type CreateDocumentInput = z.input<typeof createDocumentSchema>;

export const updateDocumentSchema = z.strictObject({
  ...z.object(documentFields).partial().shape,
  expectedVersion: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ example: 3, description: 'The version the change is based on (or the If-Match header)' }),
});
export type UpdateDocumentInput = z.input<typeof updateDocumentSchema>;

export const listDocumentsSchema = z.strictObject({
  status: documentStatusSchema.optional(),
  tag: z.string().trim().toLowerCase().max(50).optional().meta({ example: 'account' }),
  collection: z.string().max(LIMITS.collection).optional().meta({ example: 'help-center' }),
  limit: limitSchema.optional(),
  cursor: cursorSchema.nullable().optional(),
});
export type ListDocumentsInput = z.input<typeof listDocumentsSchema>;

export const documentSchema = z.object({
  id: uuidSchema,
  slug: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  collection: z.string().describe('null: in no collection').nullable(),
  status: documentStatusSchema,
  version: z
    .number()
    .int()
    .meta({ example: 3, description: 'Send it back as If-Match (or expectedVersion) to update' }),
  authorId: uuidSchema.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
/** The public shape of a document (REST, MCP, events). */
export type DocumentDto = z.infer<typeof documentSchema>;

export const documentVersionSchema = documentSchema.omit({ id: true, updatedAt: true }).extend({
  documentId: uuidSchema,
  createdAt: isoDateTime.meta({ description: 'When this version was written' }),
});
export type DocumentVersionDto = z.infer<typeof documentVersionSchema>;

/** An edit to a published article waiting for review (MCP_REVIEW_ROLES). */
export const documentDraftSchema = z.object({
  id: uuidSchema,
  documentId: uuidSchema,
  baseVersion: z
    .number()
    .int()
    .meta({ example: 3, description: "The article's version the edit was based on" }),
  slug: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  collection: z.string().nullable(),
  authorId: uuidSchema.nullable(),
  createdAt: isoDateTime.meta({ description: 'When the edit was submitted' }),
});
export type DocumentDraftDto = z.infer<typeof documentDraftSchema>;
export type DocumentDraftRow = Prisma.DocumentDraftGetPayload<object>;
export const toDocumentDraftDto = (d: DocumentDraftRow): DocumentDraftDto =>
  documentDraftSchema.parse(jsonDates(d));
export const documentDraftPageSchema = pageSchema(documentDraftSchema);

export const publishDraftSchema = z.strictObject({
  expectedVersion: z.number().int().min(1).optional().meta({
    example: 3,
    description:
      "The article's current version the reviewer compared the draft with (default: the draft's base version); a stale one answers 409",
  }),
});
export type PublishDraftInput = z.input<typeof publishDraftSchema>;

export const documentPageSchema = pageSchema(documentSchema);
export const documentVersionPageSchema = pageSchema(documentVersionSchema);

export type DocumentRow = Prisma.DocumentGetPayload<object>;
export type DocumentVersionRow = Prisma.DocumentVersionGetPayload<object>;

export const documentUri = (slug: string): string => `kb://documents/${slug}`;

/** A row (or any object with the document's fields) → the output shape; other fields are dropped. */
export const toDocumentDto = (d: Record<keyof DocumentDto, unknown>): DocumentDto =>
  documentSchema.parse(jsonDates(d));
export const toDocumentVersionDto = (v: DocumentVersionRow): DocumentVersionDto =>
  documentVersionSchema.parse(jsonDates(v));

/** Tags are compared lower-cased and trimmed; duplicates are dropped. */
export const normalizeTags = (tags: string[]): string[] => [
  ...new Set(tags.map((t) => (typeof t === 'string' ? t.trim().toLowerCase() : t))),
];

/**
 * Checks the fields present in a create or update (the domain's own invariants, whichever door
 * the call came through) with the schemas above. Throws one InvalidError listing every bad field.
 */
export function validateDocumentFields(
  input: Partial<CreateDocumentInput>,
  required: boolean,
  message = 'document is not valid',
): void {
  parseInput(
    required ? createDocumentSchema : updateDocumentSchema,
    input,
    message.replace(/ is not valid$/, ''),
  );
}
