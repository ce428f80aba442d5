export * from './api-keys.service';
export * from './bootstrap-admin.service';
export * from './password';
export * from './password-policy';
export * from './user.dto';
export * from './users.module';
export * from './users.service';
