export * from './connected-apps.service';
export * from './oauth-server.service';
export * from './oauth.module';
export { OAUTH_ROUTES, OAUTH_TTL, INTERACTION_PATH } from './provider.factory';
