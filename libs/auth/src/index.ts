export * from './auth.guard';
export * from './auth.module';
export * from './auth.service';
export * from './decorators';
export * from './jwt-secret';
export * from './principal-revocations';
export * from './public.decorator';
export * from './oauth-token.verifier';
