import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '@app/auth';
import { InvalidError, SCOPES, UnauthorizedError, type Principal, type Scope } from '@app/core';
import { ConnectedAppsService, type ConnectedApp } from '@app/oauth';
import { ApiProblems } from '../http/problem.schema';

export class ConnectedAppResponse implements ConnectedApp {
  @ApiProperty({ example: 'mcp-remote' }) clientId!: string;
  @ApiProperty({ example: 'Claude Desktop' }) clientName!: string;
  @ApiProperty({ nullable: true, type: String }) clientUri!: string | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes!: Scope[];
  @ApiProperty() connectedAt!: string;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
}

export class ConnectedAppList {
  @ApiProperty({ type: [ConnectedAppResponse] }) items!: ConnectedAppResponse[];
}

const userOf = (p: Principal): string => {
  if (!p.userId) throw new UnauthorizedError('connected apps belong to a user');
  return p.userId;
};

/** The signed-in user's connected apps (OAuth grants to MCP clients); revoking one cuts it off at once. */
@ApiTags('connected-apps')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/connected-apps')
export class ConnectedAppsController {
  constructor(private readonly apps: ConnectedAppsService) {}

  @Get()
  @ApiOkResponse({ type: ConnectedAppList })
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: ConnectedApp[] }> {
    return { items: await this.apps.list(userOf(p)) };
  }

  @Delete(':clientId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The app’s grants and tokens are revoked' })
  async revoke(@Param('clientId') clientId: string, @CurrentPrincipal() p: Principal): Promise<void> {
    if (clientId.length > 200) throw new InvalidError('clientId is too long');
    await this.apps.revoke(p, userOf(p), clientId);
  }
}
