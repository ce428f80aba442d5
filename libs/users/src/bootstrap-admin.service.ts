import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService } from '@app/database';
import { generatePassword, hashPassword } from './password';

export interface BootstrapResult {
  email: string;
  /** Set only when the password was generated (printed once, never stored in clear). */
  generatedPassword: string | null;
}

/**
 * First start: when no admin exists, create one from ADMIN_EMAIL/ADMIN_PASSWORD, or
 * admin@localhost with a random password that is printed once.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');
  /** What the last bootstrap did, for the start-up banner. Null when an admin already existed. */
  created: BootstrapResult | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly db: DatabaseService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.created = await this.ensureAdmin();
  }

  async ensureAdmin(): Promise<BootstrapResult | null> {
    const existing = await this.db.prisma.user.count({ where: { role: 'admin' } });
    if (existing > 0) return null;
    const email = this.config.adminEmail ?? 'admin@localhost';
    const password = this.config.adminPassword ?? generatePassword();
    const passwordHash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const user = await tx.user.upsert({
        where: { email },
        create: { email, name: 'Administrator', role: 'admin', passwordHash },
        update: { role: 'admin', passwordHash, active: true, version: { increment: 1 } },
      });
      await tx.event.create({
        data: {
          topic: 'users',
          event: 'user.created',
          entityId: user.id,
          payload: {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            active: user.active,
            version: user.version,
          },
        },
      });
      await tx.auditLog.create({
        data: {
          actorType: 'system',
          actorLabel: 'bootstrap',
          channel: 'system',
          action: 'user.bootstrap_admin',
          targetType: 'user',
          targetId: user.id,
          outcome: 'success',
        },
      });
    });
    this.logger.log(`Created bootstrap admin ${email}`);
    return { email, generatedPassword: this.config.adminPassword ? null : password };
  }
}
