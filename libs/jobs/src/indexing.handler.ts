import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@app/database';
import { SearchIndexer } from '@app/knowledge';
import { JobHandlerRegistry, type JobContext, type JobHandler } from './job-handler';

/**
 * Re-indexes a document (repair path: writes index synchronously in their own transaction).
 * Idempotent by document version: the indexer skips a document whose index is current.
 */
@Injectable()
export class IndexingHandler implements JobHandler<'indexing'> {
  readonly queue = 'indexing' as const;

  constructor(
    private readonly db: DatabaseService,
    private readonly indexer: SearchIndexer,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  async handle(ctx: JobContext<'indexing'>): Promise<{ indexed: number }> {
    const indexed = await this.db.transaction((tx) => this.indexer.indexDocument(tx, ctx.payload.documentId));
    return { indexed };
  }
}
