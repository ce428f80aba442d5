import { Module } from '@nestjs/common';
import { ConnectedAppsService } from './connected-apps.service';
import { OAuthServerService } from './oauth-server.service';

@Module({
  providers: [OAuthServerService, ConnectedAppsService],
  exports: [OAuthServerService, ConnectedAppsService],
})
export class OAuthModule {}
