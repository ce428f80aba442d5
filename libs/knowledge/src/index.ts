export { type Chunk, chunkMarkdown, type ChunkOptions, DEFAULT_CHUNK_OPTIONS } from './chunking';
export {
  type CreateDocumentInput,
  createDocumentSchema,
  DOCUMENT_STATUSES,
  type DocumentDto,
  documentFields,
  documentPageSchema,
  type DocumentRow,
  documentSchema,
  type DocumentStatusName,
  documentStatusSchema,
  documentUri,
  type DocumentVersionDto,
  documentVersionPageSchema,
  type DocumentVersionRow,
  documentVersionSchema,
  LIMITS,
  type ListDocumentsInput,
  listDocumentsSchema,
  normalizeTags,
  SLUG_PATTERN,
  TAG_PATTERN,
  toDocumentDto,
  toDocumentVersionDto,
  type UpdateDocumentInput,
  updateDocumentSchema,
  validateDocumentFields,
} from './document.types';
export { DocumentsService } from './documents.service';
export { DOCUMENT_EVENTS, type DocumentEventName, DOCUMENTS_TOPIC } from './events';
export { KnowledgeModule } from './knowledge.module';
export { type ParsedQuery, parseQuery } from './query-parser';
export {
  SearchIndexer,
  type SearchIndexStatus,
  SNAPSHOT_INTERVAL_MS,
  SNAPSHOT_MIN_DOCUMENTS,
} from './search-indexer';
export {
  BM25_DEFAULTS,
  type Bm25Params,
  EXPANSION_DEFAULTS,
  type ExpansionOptions,
  MAX_QUERY_LENGTH,
  SEARCH_COUNT_FLUSH_MS,
  type SearchHit,
  type SearchInput,
  SearchService,
  TITLE_WEIGHT,
} from './search.service';
export { helpArticleUrl } from './help-url';
export {
  BM25_DEFAULTS,
  type Bm25Params,
  editDistance,
  type IndexedDocument,
  type IndexHit,
  type IndexQuery,
  type IndexSnapshot,
  type QueryTerm,
  SearchIndex,
  statusName,
  TITLE_WEIGHT,
} from './search/search-index';
export { MAX_WORD_LENGTH, stemWord, STOP_WORDS, terms, type Token, tokenize } from './search/tokenizer';
export { buildSnippet, SNIPPET_DEFAULTS, SnippetMatcher, type SnippetOptions } from './search/snippet';
