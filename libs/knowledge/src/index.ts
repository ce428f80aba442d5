/** Public API of libs/knowledge: what other libs, the apps and the tests use. */
export {
  type CreateDocumentInput,
  createDocumentSchema,
  DOCUMENT_STATUSES,
  type DocumentDto,
  documentPageSchema,
  documentSchema,
  type DocumentStatusName,
  documentUri,
  type DocumentVersionDto,
  documentVersionPageSchema,
  documentVersionSchema,
  listDocumentsSchema,
  SLUG_PATTERN,
  updateDocumentSchema,
} from './document.types';
export { DocumentsService } from './documents.service';
export { KnowledgeJobsModule, KnowledgeModule } from './knowledge.module';
export { SearchIndexer } from './search-indexer';
export { EXPANSION_DEFAULTS, MAX_QUERY_LENGTH, type SearchHit, SearchService } from './search.service';
export { helpArticleUrl } from './help-url';
export { type ParsedImport, parseJsonImport, parseUploads } from './imports/import-parser';
export { ImportsService } from './imports/imports.service';
export { ImportHandler } from './imports/import.handler';
export { MAX_IMPORT_JSON_BYTES } from './imports/imports.service';
export { documentFields } from './document.types';
export { parseQuery } from './query-parser';
export { SearchIndex } from './search/search-index';
export { frontMatterParsesInFlight } from './imports/front-matter';
export { DocumentReviewService } from './document-review.service';
export {
  type DocumentDraftDto,
  documentDraftPageSchema,
  documentDraftSchema,
  publishDraftSchema,
} from './document.types';
export { readSnapshotFile, writeSnapshotFile } from './search/snapshot-file';
