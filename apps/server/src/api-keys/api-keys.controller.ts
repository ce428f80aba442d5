import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { CurrentPrincipal } from '@app/auth';
import { SCOPES, type Page, type Principal, type Scope } from '@app/core';
import { ApiKeysService, type ApiKeyDto, type CreatedApiKey } from '@app/users';
import { PageQueryDto } from '../http/page-query.dto';
import { ApiProblems } from '../http/problem.schema';

export class ApiKeyResponse implements ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Claude Desktop' }) name!: string;
  @ApiProperty({ example: 'Xy3k9QaB', description: 'First characters, to recognise the key' })
  prefix!: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes!: Scope[];
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse implements CreatedApiKey {
  @ApiProperty({ example: 'cdk_Xy3k9QaB_…', description: 'The secret, shown only in this response' })
  secret!: string;
}

export class ApiKeyPage {
  @ApiProperty({ type: [ApiKeyResponse] }) items!: ApiKeyResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Claude Desktop' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, example: ['kb:read', 'tickets:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true })
  scopes!: Scope[];
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

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
