/** Outbox topic and event names of the knowledge context. */
export const DOCUMENTS_TOPIC = 'documents' as const;
export const DOCUMENT_EVENTS = {
  created: 'document.created',
  updated: 'document.updated',
  deleted: 'document.deleted',
} as const;
export type DocumentEventName = (typeof DOCUMENT_EVENTS)[keyof typeof DOCUMENT_EVENTS];
