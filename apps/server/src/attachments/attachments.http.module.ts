import { Module } from '@nestjs/common';
import { AttachmentsModule } from '@app/attachments';
import { AttachmentsController } from './attachments.controller';

/** REST door for files on tickets and documents. */
@Module({
  imports: [AttachmentsModule],
  controllers: [AttachmentsController],
})
export class AttachmentsHttpModule {}
