export * from './chunking';
export * from './document.types';
export * from './documents.service';
export * from './events';
export * from './knowledge.module';
export * from './query-parser';
export * from './search-indexer';
export * from './search.service';
