import { z } from 'zod';
import {
  documentSchema,
  documentUri,
  helpArticleUrl,
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
import type { UserDto } from '@app/users';
import { ROLES } from '@app/core';

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

export const userOut = z.object({
  id: z.string(),
  uri: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
});
export const toUserOut = (u: UserDto): z.infer<typeof userOut> => ({
  id: u.id,
  uri: userUri(u.id),
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
});
