import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { KnowledgeModule, SearchIndexer } from '@app/knowledge';
import { DocumentDraftsController } from './document-drafts.controller';
import { DocumentsController } from './documents.controller';

/** The server answers searches: load the search index at start, not on the first query. */
@Injectable()
export class SearchIndexWarmup implements OnApplicationBootstrap {
  constructor(private readonly indexer: SearchIndexer) {}

  onApplicationBootstrap(): void {
    void this.indexer.warm();
  }
}

/** REST door for documents, their versions, the review queue and full-text search. */
@Module({
  imports: [KnowledgeModule],
  controllers: [DocumentsController, DocumentDraftsController],
  providers: [SearchIndexWarmup],
})
export class DocumentsHttpModule {}
