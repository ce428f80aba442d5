import { All, Controller, Get, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@app/auth';
import { LegacySseService, McpHttpService } from '@app/mcp';

/**
 * The MCP Streamable HTTP endpoint and its RFC 9728 metadata. Public to the global guard:
 * /mcp authenticates itself so that its 401/403 carry the MCP `WWW-Authenticate` challenges.
 */
@Public()
@ApiExcludeController()
@Controller()
export class McpController {
  constructor(
    private readonly mcp: McpHttpService,
    private readonly legacy: LegacySseService,
  ) {}

  @All('mcp')
  handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.mcp.handle(req, res);
  }

  /** The deprecated 2024-11-05 HTTP+SSE transport, only with MCP_LEGACY_SSE=true. */
  @Get('sse')
  legacyStream(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.legacy.enabled) throw new NotFoundException('the legacy SSE transport is off (MCP_LEGACY_SSE)');
    return this.legacy.openStream(req, res);
  }

  @Post('messages')
  legacyMessage(
    @Req() req: Request,
    @Res() res: Response,
    @Query('sessionId') sessionId: string | undefined,
  ): Promise<void> {
    if (!this.legacy.enabled) throw new NotFoundException('the legacy SSE transport is off (MCP_LEGACY_SSE)');
    return this.legacy.postMessage(req, res, typeof sessionId === 'string' ? sessionId : undefined);
  }

  @Get(['.well-known/oauth-protected-resource', '.well-known/oauth-protected-resource/mcp'])
  metadata(@Req() req: Request): Record<string, unknown> {
    return this.mcp.protectedResourceMetadata(req);
  }
}
