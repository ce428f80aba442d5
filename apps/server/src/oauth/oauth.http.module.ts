import { Module } from '@nestjs/common';
import { OAuthModule } from '@app/oauth';
import { ConnectedAppsController } from './connected-apps.controller';
import { OAuthInteractionController } from './oauth-interaction.controller';

/** The OAuth doors: the consent interaction's JSON endpoints and the connected-apps REST API. */
@Module({
  imports: [OAuthModule],
  controllers: [OAuthInteractionController, ConnectedAppsController],
  exports: [OAuthModule],
})
export class OAuthHttpModule {}
