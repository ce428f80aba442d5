import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@app/knowledge';
import { HelpController } from './help.controller';
import { HelpPreviewController } from './help-preview.controller';

/** The public help center at /help/, and its preview for editors. */
@Module({
  imports: [KnowledgeModule],
  controllers: [HelpController, HelpPreviewController],
})
export class HelpHttpModule {}
