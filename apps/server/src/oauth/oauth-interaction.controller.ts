import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Public } from '@app/auth';
import { InvalidError, SCOPES, type Principal } from '@app/core';
import { OAuthServerService, type ConsentRequest } from '@app/oauth';

export class AllowDto {
  @IsArray()
  @ArrayMaxSize(SCOPES.length)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  scopes!: string[];
}

const checkUid = (uid: string): string => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(uid)) throw new InvalidError('not a sign-in request id');
  return uid;
};

/**
 * The OAuth interaction (sign-in + consent) behind /authorize: the browser lands here and is
 * sent to the admin's consent page, which calls the JSON endpoints below with the signed-in
 * admin user's token (the provider's interaction cookie is scoped to this path).
 */
@ApiExcludeController()
@Controller('oauth/interaction')
export class OAuthInteractionController {
  constructor(private readonly oauth: OAuthServerService) {}

  @Public()
  @Get(':uid')
  toConsentPage(@Param('uid') uid: string, @Res() res: Response): void {
    res.redirect(303, `/admin/oauth/${encodeURIComponent(checkUid(uid))}`);
  }

  @Get(':uid/details')
  details(
    @Param('uid') uid: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConsentRequest> {
    res.setHeader('Cache-Control', 'no-store');
    return this.oauth.consentRequest(req, res, checkUid(uid), principal);
  }

  @Post(':uid/allow')
  @HttpCode(200)
  allow(
    @Param('uid') uid: string,
    @Body() body: AllowDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ redirectTo: string }> {
    return this.oauth.allow(req, res, checkUid(uid), principal, body.scopes);
  }

  @Post(':uid/deny')
  @HttpCode(200)
  deny(
    @Param('uid') uid: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ redirectTo: string }> {
    return this.oauth.deny(req, res, checkUid(uid), principal);
  }
}
