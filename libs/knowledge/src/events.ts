/** Outbox topic and event names of the knowledge context. */
export const DOCUMENTS_TOPIC = 'documents' as const;
export const DOCUMENT_EVENTS = {
  created: 'document.created',
  updated: 'document.updated',
  deleted: 'document.deleted',
} as const;
/**
 * Review of pending drafts (MCP_REVIEW_ROLES). Their data names the draft and the document but
 * carries no body or slug: the search index and resource subscriptions see no document change.
 */
export const DOCUMENT_DRAFT_EVENTS = {
  submitted: 'document.draft_submitted',
  published: 'document.draft_published',
  discarded: 'document.draft_discarded',
} as const;
export type DocumentEventName = (typeof DOCUMENT_EVENTS)[keyof typeof DOCUMENT_EVENTS];
