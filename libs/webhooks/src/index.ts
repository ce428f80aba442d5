export * from './webhook-delivery.handler';
export * from './webhook-dispatcher';
export * from './webhook-signing';
export * from './webhooks.module';
export * from './webhooks.service';
