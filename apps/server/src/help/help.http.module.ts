import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@app/knowledge';
import { HelpController } from './help.controller';

/** The public help center at /help/. */
@Module({
  imports: [KnowledgeModule],
  controllers: [HelpController],
})
export class HelpHttpModule {}
