import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import { ROLES, type Page, type Principal, type RoleName } from '@app/core';
import { UsersService, type UserDto } from '@app/users';
import { expectedVersionOf, IfMatch } from '../http/if-match.decorator';
import { PageQueryDto } from '../http/page-query.dto';
import { ApiProblems } from '../http/problem.schema';

export class UserResponse implements UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'dana@example.com' }) email!: string;
  @ApiProperty({ example: 'Dana Agent' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: RoleName;
  @ApiProperty() active!: boolean;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ nullable: true, type: String }) lastLoginAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class UserPage {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CreateUserDto {
  @ApiProperty({ example: 'dana@example.com' })
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email!: string;
  @ApiProperty({ example: 'Dana Agent' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: ROLES, example: 'agent' }) @IsIn(ROLES) role!: RoleName;
  @ApiPropertyOptional({
    minLength: 12,
    description:
      'Initial password; omit for a user who cannot sign in. At least 12 characters and not easy to guess (zxcvbn score 3+, not a common password); a refusal says why in `errors`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: RoleName;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ minLength: 12, description: 'Same rules as at creation' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
  @ApiPropertyOptional({ description: 'Alternative to the If-Match header' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Matches email or name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: RoleName;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

@ApiTags('users')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequireScopes('users:read')
  @ApiOkResponse({ type: UserPage })
  list(@Query() q: ListUsersQuery): Promise<Page<UserDto>> {
    return this.users.list({ query: q.q, role: q.role, active: q.active, limit: q.limit, cursor: q.cursor });
  }

  @Post()
  @RequireScopes('users:write')
  @ApiCreatedResponse({ type: UserResponse })
  create(@Body() body: CreateUserDto, @CurrentPrincipal() actor: Principal): Promise<UserDto> {
    return this.users.create(body, actor);
  }

  @Get(':id')
  @RequireScopes('users:read')
  @ApiOkResponse({ type: UserResponse })
  get(@Param('id') id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @RequireScopes('users:write')
  @ApiOkResponse({ type: UserResponse })
  update(
    @Param('id') id: string,
    @Body() body: UpdateUserDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<UserDto> {
    return this.users.update(
      id,
      { ...body, expectedVersion: expectedVersionOf(ifMatch, body.expectedVersion) },
      actor,
    );
  }
}
