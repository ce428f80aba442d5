import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { createZodDto } from '../http/zod-dto';
import { CurrentPrincipal } from '@app/auth';
import type { Page, Principal } from '@app/core';
import {
  ApiKeysService,
  apiKeyPageSchema,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
  type ApiKeyDto,
  type CreatedApiKey,
} from '@app/users';
import { PageQueryDto } from '../http/page-query.dto';
import { ApiProblems } from '../http/problem.schema';

/** REST shapes of API keys, derived from the one schema in @app/users. */
export class ApiKeyResponse extends createZodDto(apiKeySchema) {}
export class CreatedApiKeyResponse extends createZodDto(createdApiKeySchema) {}
export class ApiKeyPage extends createZodDto(apiKeyPageSchema) {}
export class CreateApiKeyDto extends createZodDto(createApiKeySchema) {}

/** Keys belong to the user who creates them and never exceed that user's scopes; admins see all keys. */
@ApiTags('api-keys')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: ApiKeyPage })
  list(@Query() q: PageQueryDto, @CurrentPrincipal() actor: Principal): Promise<Page<ApiKeyDto>> {
    return this.keys.list(actor, q);
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  create(@Body() body: CreateApiKeyDto, @CurrentPrincipal() actor: Principal): Promise<CreatedApiKey> {
    return this.keys.create(body, actor);
  }

  @Delete(':id')
  @ApiOkResponse({ type: ApiKeyResponse, description: 'The key, now revoked' })
  revoke(@Param('id') id: string, @CurrentPrincipal() actor: Principal): Promise<ApiKeyDto> {
    return this.keys.revoke(id, actor);
  }
}
