import { Module } from '@nestjs/common';
import { UsersModule } from '@app/users';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuditController } from './audit/audit.controller';
import { AuthController } from './auth/auth.controller';
import { EventsController } from './events/events.controller';
import { UsersController } from './users/users.controller';

/** REST doors for auth, users, API keys, the event history and the audit log. */
@Module({
  imports: [UsersModule],
  controllers: [AuthController, UsersController, ApiKeysController, EventsController, AuditController],
})
export class AccountsHttpModule {}
