/** Public API of the attachments context (files on tickets and documents). */
export {
  contentTypeOf,
  extensionOf,
  isInline,
  refusalOf,
  safeFilename,
  FILENAME_MAX,
} from './attachment-safety';
export { AttachmentsModule } from './attachments.module';
export {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENTS_PER_TARGET_MAX,
  AttachmentsService,
  attachmentListSchema,
  attachmentSchema,
  type AttachmentDto,
  type AttachmentTarget,
  type UploadedFile,
} from './attachments.service';
