export * from './api-keys.service';
export * from './bootstrap-admin.service';
export * from './password';
export * from './user.dto';
export * from './users.module';
export * from './users.service';
