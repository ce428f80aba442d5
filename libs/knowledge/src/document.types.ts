import { InvalidError, type FieldError } from '@app/core';

export const DOCUMENT_STATUSES = ['draft', 'published', 'archived'] as const;
export type DocumentStatusName = (typeof DOCUMENT_STATUSES)[number];

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._:/-]{0,49}$/;
export const LIMITS = { slug: 120, title: 300, bodyBytes: 200 * 1024, tags: 20, collection: 120 } as const;

export interface CreateDocumentInput {
  slug: string;
  title: string;
  body: string;
  tags?: string[];
  collection?: string | null;
  status?: DocumentStatusName;
}

export interface UpdateDocumentInput {
  /** When given, the update applies only if the document is still at this version. */
  expectedVersion?: number;
  slug?: string;
  title?: string;
  body?: string;
  tags?: string[];
  collection?: string | null;
  status?: DocumentStatusName;
}

export interface ListDocumentsInput {
  status?: DocumentStatusName;
  tag?: string;
  collection?: string;
  limit?: number;
  cursor?: string | null;
}

/** The public shape of a document (REST, MCP, events). */
export interface DocumentDto {
  id: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentVersionDto {
  documentId: string;
  version: number;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  authorId: string | null;
  createdAt: string;
}

export interface DocumentRow {
  id: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  authorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DocumentVersionRow extends Omit<DocumentRow, 'id' | 'updatedAt'> {
  documentId: string;
}

export const documentUri = (slug: string): string => `kb://documents/${slug}`;

export const toDocumentDto = (d: DocumentRow): DocumentDto => ({
  id: d.id,
  slug: d.slug,
  title: d.title,
  body: d.body,
  tags: [...d.tags],
  collection: d.collection,
  status: d.status,
  version: d.version,
  authorId: d.authorId,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

export const toDocumentVersionDto = (v: DocumentVersionRow): DocumentVersionDto => ({
  documentId: v.documentId,
  version: v.version,
  slug: v.slug,
  title: v.title,
  body: v.body,
  tags: [...v.tags],
  collection: v.collection,
  status: v.status,
  authorId: v.authorId,
  createdAt: v.createdAt.toISOString(),
});

/** Tags are compared lower-cased and trimmed; duplicates are dropped. */
export const normalizeTags = (tags: string[]): string[] => [
  ...new Set(tags.map((t) => (typeof t === 'string' ? t.trim().toLowerCase() : t))),
];

/**
 * Checks the fields present in a create or update (the domain's own invariants, whichever door
 * the call came through). Throws one InvalidError listing every bad field.
 */
export function validateDocumentFields(
  input: Partial<CreateDocumentInput>,
  required: boolean,
  message = 'document is not valid',
): void {
  const errors: FieldError[] = [];
  const check = (field: string, present: boolean, ok: boolean, msg: string) => {
    if (!present) {
      if (required && ['slug', 'title', 'body'].includes(field))
        errors.push({ field, message: 'is required' });
    } else if (!ok) errors.push({ field, message: msg });
  };
  const { slug, title, body, tags, collection, status } = input;
  check(
    'slug',
    slug !== undefined,
    typeof slug === 'string' && slug.length <= LIMITS.slug && SLUG_PATTERN.test(slug),
    `must be lower-case letters and digits separated by single hyphens (e.g. "reset-password"), at most ${LIMITS.slug} characters`,
  );
  check(
    'title',
    title !== undefined,
    typeof title === 'string' && title.trim().length >= 1 && title.length <= LIMITS.title,
    `must be 1 to ${LIMITS.title} characters`,
  );
  check(
    'body',
    body !== undefined,
    typeof body === 'string' && Buffer.byteLength(body, 'utf8') <= LIMITS.bodyBytes,
    `must be Markdown text of at most ${LIMITS.bodyBytes / 1024} KB`,
  );
  check(
    'tags',
    tags !== undefined,
    Array.isArray(tags) &&
      tags.length <= LIMITS.tags &&
      tags.every((t) => typeof t === 'string' && TAG_PATTERN.test(t.trim().toLowerCase())),
    `must be at most ${LIMITS.tags} tags, each 1-50 characters of letters, digits and . _ : / -`,
  );
  check(
    'collection',
    collection !== undefined && collection !== null,
    typeof collection === 'string' && collection.trim().length >= 1 && collection.length <= LIMITS.collection,
    `must be 1 to ${LIMITS.collection} characters (or null)`,
  );
  check(
    'status',
    status !== undefined,
    (DOCUMENT_STATUSES as readonly string[]).includes(status as string),
    `must be one of ${DOCUMENT_STATUSES.join(', ')}`,
  );
  if (errors.length) throw new InvalidError(message, errors);
}
