import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import type { Principal } from '@app/core';
import { AuthService } from './auth.service';

/** Passport strategy for REST: a bearer value that is either a JWT or an API key. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  validate(token: string): Promise<Principal> {
    return this.auth.authenticate(token, 'rest');
  }
}
