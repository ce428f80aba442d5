import { Module } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { UserRepository } from './user.repository';
import { UsersService } from './users.service';

@Module({
  providers: [UserRepository, UsersService, ApiKeysService, BootstrapAdminService],
  exports: [UsersService, ApiKeysService, BootstrapAdminService],
})
export class UsersModule {}
