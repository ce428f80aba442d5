/** Public API of libs/oauth: what other libs, the apps and the tests use. */
export { type ConnectedApp, ConnectedAppsService } from './connected-apps.service';
export { type ConsentRequest, OAuthServerService } from './oauth-server.service';
export { OAuthModule } from './oauth.module';
export { OAUTH_ROUTES, OAUTH_TTL, INTERACTION_PATH } from './provider.factory';
