import { Module } from '@nestjs/common';
import { DocumentReviewService } from './document-review.service';
import { DocumentsService } from './documents.service';
import { ImportHandler } from './imports/import.handler';
import { ImportsService } from './imports/imports.service';
import { IndexingHandler } from './indexing.handler';
import { SearchIndexer } from './search-indexer';
import { SearchService } from './search.service';

@Module({
  providers: [DocumentsService, DocumentReviewService, SearchService, SearchIndexer],
  exports: [DocumentsService, DocumentReviewService, SearchService, SearchIndexer],
})
export class KnowledgeModule {}

/**
 * The knowledge base's jobs: document imports and re-indexing. Imported beside JobsModule (whose
 * queue it uses) where jobs are enqueued or run: the server and the worker.
 */
@Module({
  imports: [KnowledgeModule],
  providers: [ImportHandler, IndexingHandler, ImportsService],
  exports: [ImportsService],
})
export class KnowledgeJobsModule {}
