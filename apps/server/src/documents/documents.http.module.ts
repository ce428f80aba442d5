import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@app/knowledge';
import { DocumentsController } from './documents.controller';

/** REST door for documents, their versions and full-text search. */
@Module({
  imports: [KnowledgeModule],
  controllers: [DocumentsController],
})
export class DocumentsHttpModule {}
