import { Injectable } from '@nestjs/common';
import { JobHandlerRegistry, type JobContext, type JobHandler } from '@app/jobs';
import { SearchIndexer } from './search-indexer';

/**
 * Repair path: re-reads a document into this process's search index (when it holds one).
 * Idempotent: the index ignores a version it already has.
 */
@Injectable()
export class IndexingHandler implements JobHandler<'indexing'> {
  readonly queue = 'indexing' as const;

  constructor(
    private readonly indexer: SearchIndexer,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  async handle(ctx: JobContext<'indexing'>): Promise<{ indexed: number }> {
    return { indexed: await this.indexer.refreshDocument(ctx.payload.documentId) };
  }
}
