import { createZodDto } from '../http/zod-dto';
import { attachmentListSchema, attachmentSchema } from '@app/attachments';

export class AttachmentResponse extends createZodDto(attachmentSchema) {}
export class AttachmentList extends createZodDto(attachmentListSchema) {}
