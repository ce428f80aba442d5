import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { UnauthorizedError, assertScopes, type Principal, type Scope } from '@app/core';
import { REQUIRED_SCOPES } from './decorators';
import { IS_PUBLIC } from './public.decorator';

/**
 * passport-http-bearer also reads `access_token` from the query string and the body; on REST a
 * token belongs in the Authorization header only (URLs end up in logs, history and Referer).
 * The WebSocket upgrade (/events) is the one place that takes `?access_token=`.
 */
function refuseTokenOutsideHeader(req: { query?: unknown; body?: unknown }): void {
  const inQuery = !!req.query && typeof req.query === 'object' && 'access_token' in req.query;
  const inBody = !!req.body && typeof req.body === 'object' && 'access_token' in req.body;
  if (inQuery || inBody)
    throw new UnauthorizedError(
      'send the token as "Authorization: Bearer <token>"; access_token is accepted only on the WebSocket upgrade',
    );
}

/**
 * Global guard: every HTTP route needs a valid bearer unless marked @Public(); then the
 * route's @RequireScopes are checked with the shared `assertScopes`.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super({ session: false });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    refuseTokenOutsideHeader(context.switchToHttp().getRequest());
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    assertScopes(principal, this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES, targets) ?? []);
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user)
      throw new UnauthorizedError('a bearer token is required (a JWT from /api/v1/auth/login or an API key)');
    return user;
  }
}
