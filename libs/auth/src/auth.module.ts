import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '@app/config';
import { EventsModule } from '@app/events';
import { UsersModule } from '@app/users';
import { AuthService } from './auth.service';
import { BearerStrategy } from './bearer.strategy';
import { ApiKeyStrategy, JwtStrategy } from './strategies';
import { OAuthTokenVerifier } from './oauth-token.verifier';
import { PrincipalRevocations } from './principal-revocations';
import { PrincipalCache } from './principal-cache';
import { RateLimiter } from './rate-limiter';
import { resolveJwtSecret } from './jwt-secret';

@Global()
@Module({
  imports: [
    EventsModule,
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: resolveJwtSecret(config),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    AuthService,
    BearerStrategy,
    JwtStrategy,
    ApiKeyStrategy,
    OAuthTokenVerifier,
    PrincipalRevocations,
    RateLimiter,
    PrincipalCache,
  ],
  exports: [AuthService, OAuthTokenVerifier, PrincipalRevocations, RateLimiter, PrincipalCache],
})
export class AuthModule {}
