import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Res,
  UploadedFile as UploadedFileParam,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ATTACHMENT_MAX_BYTES,
  AttachmentsService,
  isInline,
  type AttachmentDto,
  type UploadedFile,
} from '@app/attachments';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Principal } from '@app/core';
import { ApiProblems, ProblemSchema } from '../http/problem.schema';
import { TicketNumberPipe } from '../tickets/ticket-number.pipe';
import { AttachmentList, AttachmentResponse } from './attachments.dto';
import { contentDisposition } from './content-disposition';

/** One file per request, cut off (413) as soon as it passes the limit; names read as UTF-8. */
const upload = () =>
  FileInterceptor('file', {
    limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1, fields: 0, parts: 1 },
    defParamCharset: 'utf8',
  });

const FILE_BODY = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary', description: `At most ${ATTACHMENT_MAX_BYTES} bytes` },
    },
  },
};
const TOO_LARGE = {
  type: ProblemSchema,
  description: `The file is larger than ${ATTACHMENT_MAX_BYTES} bytes`,
};

/** Files on tickets and documents (stored in the database), and their download. */
@ApiTags('attachments')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Get('tickets/:number/attachments')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'Files attached to a ticket, oldest first' })
  @ApiParam({ name: 'number', example: 42 })
  @ApiOkResponse({ type: AttachmentList })
  listForTicket(
    @Param('number', TicketNumberPipe) number: number,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<{ items: AttachmentDto[] }> {
    return this.attachments.list({ kind: 'ticket', number }, viewer);
  }

  @Post('tickets/:number/attachments')
  @RequireScopes('tickets:write')
  @UseInterceptors(upload())
  @ApiOperation({ summary: 'Attach a file to a ticket (multipart field "file"; programs are refused)' })
  @ApiParam({ name: 'number', example: 42 })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiCreatedResponse({ type: AttachmentResponse })
  @ApiPayloadTooLargeResponse(TOO_LARGE)
  uploadToTicket(
    @Param('number', TicketNumberPipe) number: number,
    @UploadedFileParam() file: UploadedFile | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<AttachmentDto> {
    return this.attachments.upload({ kind: 'ticket', number }, file, actor);
  }

  @Get('documents/:id/attachments')
  @RequireScopes('kb:read')
  @ApiOperation({ summary: 'Files attached to a document, oldest first' })
  @ApiOkResponse({ type: AttachmentList })
  listForDocument(
    @Param('id') id: string,
    @CurrentPrincipal() viewer: Principal,
  ): Promise<{ items: AttachmentDto[] }> {
    return this.attachments.list({ kind: 'document', id }, viewer);
  }

  @Post('documents/:id/attachments')
  @RequireScopes('kb:write')
  @UseInterceptors(upload())
  @ApiOperation({ summary: 'Attach a file to a document (multipart field "file"; programs are refused)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @ApiCreatedResponse({ type: AttachmentResponse })
  @ApiPayloadTooLargeResponse(TOO_LARGE)
  uploadToDocument(
    @Param('id') id: string,
    @UploadedFileParam() file: UploadedFile | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<AttachmentDto> {
    return this.attachments.upload({ kind: 'document', id }, file, actor);
  }

  @Get('attachments/:id')
  @ApiOperation({
    summary: 'Download a file',
    description:
      'Needs the read scope of the record it is attached to. Images are served inline; every other type as a download (Content-Disposition: attachment), always with nosniff and a sandboxing Content-Security-Policy.',
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file' })
  async download(
    @Param('id') id: string,
    @CurrentPrincipal() viewer: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.attachments.download(id, viewer);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader(
      'Content-Disposition',
      contentDisposition(isInline(file.contentType) ? 'inline' : 'attachment', file.filename),
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('ETag', `"${file.sha256}"`);
    res.status(200).end(file.data);
  }

  @Delete('attachments/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a file (needs the write scope of its ticket or document)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(@Param('id') id: string, @CurrentPrincipal() actor: Principal): Promise<void> {
    return this.attachments.remove(id, actor);
  }
}
