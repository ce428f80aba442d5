import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { AuthService, CurrentPrincipal, Public } from '@app/auth';
import type { Principal } from '@app/core';
import { ProblemSchema } from '../http/problem.schema';

export class LoginDto {
  @ApiProperty({ example: 'admin@localhost' })
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class TokenDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs…' }) accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ example: 3600, description: 'Seconds until the token expires' }) expiresIn!: number;
}

export class MeDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'agent', 'viewer'] }) role!: string;
  @ApiProperty({ example: ['kb:read', 'tickets:read'] }) scopes!: string[];
  @ApiProperty({ enum: ['user', 'api_key'] }) kind!: string;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto })
  @ApiUnauthorizedResponse({ type: ProblemSchema, description: 'Wrong email or password' })
  @ApiTooManyRequestsResponse({
    type: ProblemSchema,
    description: 'Too many attempts from this address or for this account (see Retry-After)',
  })
  login(@Body() body: LoginDto, @Req() req: Request): Promise<TokenDto> {
    return this.auth.login(body.email, body.password, { ip: req.ip });
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() p: Principal): MeDto {
    return {
      id: p.userId ?? '',
      email: p.email ?? '',
      name: p.name,
      role: p.role ?? 'viewer',
      scopes: [...p.scopes],
      kind: p.kind,
    };
  }
}
