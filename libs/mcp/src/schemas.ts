import { z } from 'zod';
import {
  documentSchema,
  documentUri,
  documentVersionSchema,
  type DocumentVersionDto,
  helpArticleUrl,
  type DocumentDraftDto,
  type DocumentDto,
  type SearchHit,
} from '@app/knowledge';
import {
  ticketCommentSchema,
  ticketSchema,
  ticketWithCommentsSchema,
  type TicketCommentDto,
  type TicketDto,
  type TicketWithCommentsDto,
} from '@app/tickets';
import { userSchema, type UserDto } from '@app/users';

/**
 * Output shapes of the MCP tools. Built once at module load; each result is mapped field by
 * field so nothing the schema does not declare reaches a client (clients validate against it).
 */
export const ticketUri = (n: number): string => `kb://tickets/${n}`;
export const userUri = (id: string): string => `kb://users/${id}`;

export const documentOut = documentSchema.extend({
  uri: z.string(),
  url: z.string().optional().describe('public help-center page (published documents only), for citations'),
});
export type DocumentOut = z.infer<typeof documentOut>;
export const toDocumentOut = (d: DocumentDto, publicUrl?: string): DocumentOut => ({
  ...d,
  uri: documentUri(d.slug),
  ...(publicUrl && d.status === 'published' ? { url: helpArticleUrl(publicUrl, d.slug) } : {}),
});

/** A document after an edit; under review (MCP_REVIEW_ROLES) the unchanged article plus the pending draft. */
export const editedDocumentOut = documentOut.extend({
  pendingReview: z
    .object({
      draftId: z.string().describe('the pending draft an admin reviews'),
      baseVersion: z.number().int().describe('the article version the draft is based on'),
    })
    .optional()
    .describe('present when the edit went to review instead of live: the article itself did not change'),
});
export const editedOut = (
  r: { document: DocumentDto; draft: DocumentDraftDto | null },
  publicUrl?: string,
): z.infer<typeof editedDocumentOut> => ({
  ...toDocumentOut(r.document, publicUrl),
  ...(r.draft ? { pendingReview: { draftId: r.draft.id, baseVersion: r.draft.baseVersion } } : {}),
});

export const searchResultOut = z.object({
  documentId: z.string(),
  uri: z.string(),
  title: z.string(),
  snippet: z.string().describe('best passage, matches wrapped in <mark>…</mark>'),
  score: z.number(),
  url: z.string().describe('public help-center page of the article, for citations'),
});
export const toSearchResultOut = (h: SearchHit, url: string): z.infer<typeof searchResultOut> => ({
  documentId: h.documentId,
  uri: h.uri,
  url,
  title: h.title,
  snippet: h.snippet,
  score: h.score,
});

export const ticketOut = ticketSchema.extend({ uri: z.string() });
export type TicketOut = z.infer<typeof ticketOut>;
export const toTicketOut = (t: TicketDto): TicketOut => ({ ...t, uri: ticketUri(t.number) });

export const commentOut = ticketCommentSchema;
export const toCommentOut = (c: TicketCommentDto): TicketCommentDto => c;

export const ticketWithCommentsOut = ticketWithCommentsSchema.extend({ uri: z.string() });
export const toTicketWithCommentsOut = (t: TicketWithCommentsDto): z.infer<typeof ticketWithCommentsOut> => ({
  ...t,
  uri: ticketUri(t.number),
});

export const userOut = userSchema
  .pick({ id: true, email: true, name: true, role: true, active: true })
  .extend({ uri: z.string() });
export const toUserOut = (u: UserDto): z.infer<typeof userOut> => ({
  id: u.id,
  uri: userUri(u.id),
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
});

export const versionOut = documentVersionSchema.extend({ uri: z.string() });
export const toVersionOut = (v: DocumentVersionDto): z.infer<typeof versionOut> => ({
  ...v,
  uri: documentUri(v.slug),
});
export const versionSummaryOut = documentVersionSchema.pick({
  version: true,
  title: true,
  status: true,
  authorId: true,
  createdAt: true,
});
export const toVersionSummaryOut = (v: DocumentVersionDto): z.infer<typeof versionSummaryOut> => ({
  version: v.version,
  title: v.title,
  status: v.status,
  authorId: v.authorId,
  createdAt: v.createdAt,
});
