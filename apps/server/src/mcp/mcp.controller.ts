import { Controller, Get, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Public } from '@app/auth';
import { LegacySseService, McpHttpService } from '@app/mcp';

/**
 * The MCP endpoint's RFC 9728 metadata and the legacy HTTP+SSE transport. /mcp itself is served
 * ahead of Express (mcp-fast-door.ts). Public to the global guard: the MCP doors authenticate
 * themselves so that their 401/403 carry the MCP `WWW-Authenticate` challenges.
 */
@Public()
@ApiExcludeController()
@Controller()
export class McpController {
  constructor(
    private readonly mcp: McpHttpService,
    private readonly legacy: LegacySseService,
  ) {}

  /** The deprecated 2024-11-05 HTTP+SSE transport, only with MCP_LEGACY_SSE=true. */
  @SkipThrottle()
  @Get('sse')
  legacyStream(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.legacy.enabled) throw new NotFoundException('the legacy SSE transport is off (MCP_LEGACY_SSE)');
    return this.legacy.openStream(req, res);
  }

  @SkipThrottle()
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
