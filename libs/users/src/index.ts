export * from './bootstrap-admin.service';
export * from './password';
export * from './users.module';
