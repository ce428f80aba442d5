import { Module } from '@nestjs/common';
import { DocumentsService } from './documents.service';
import { SearchIndexer } from './search-indexer';
import { SearchService } from './search.service';

@Module({
  providers: [DocumentsService, SearchService, SearchIndexer],
  exports: [DocumentsService, SearchService, SearchIndexer],
})
export class KnowledgeModule {}
