import { All, Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@app/auth';
import { McpHttpService } from '@app/mcp';

/**
 * The MCP Streamable HTTP endpoint and its RFC 9728 metadata. Public to the global guard:
 * /mcp authenticates itself so that its 401/403 carry the MCP `WWW-Authenticate` challenges.
 */
@Public()
@ApiExcludeController()
@Controller()
export class McpController {
  constructor(private readonly mcp: McpHttpService) {}

  @All('mcp')
  handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.mcp.handle(req, res);
  }

  @Get(['.well-known/oauth-protected-resource', '.well-known/oauth-protected-resource/mcp'])
  metadata(@Req() req: Request): Record<string, unknown> {
    return this.mcp.protectedResourceMetadata(req);
  }
}
