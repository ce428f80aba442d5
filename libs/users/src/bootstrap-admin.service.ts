import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, ConfigError } from '@app/config';
import { systemPrincipal } from '@app/core';
import { DatabaseService } from '@app/database';
import { generatePassword } from './password';
import { passwordWeakness } from './password-policy';
import { UsersService } from './users.service';

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
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.created = await this.ensureAdmin();
  }

  async ensureAdmin(): Promise<BootstrapResult | null> {
    if ((await this.db.prisma.user.count({ where: { role: 'admin' } })) > 0) return null;
    const email = this.config.adminEmail ?? 'admin@localhost';
    const password = this.config.adminPassword ?? generatePassword();
    const weak = passwordWeakness(password, [email]);
    if (weak) throw new ConfigError('ADMIN_PASSWORD', weak);
    const actor = systemPrincipal('system', 'bootstrap');
    const existing = await this.db.prisma.user.findUnique({ where: { email } });
    if (existing) await this.users.update(existing.id, { role: 'admin', active: true, password }, actor);
    else await this.users.create({ email, name: 'Administrator', role: 'admin', password }, actor);
    this.logger.log(`Created bootstrap admin ${email}`);
    return { email, generatedPassword: this.config.adminPassword ? null : password };
  }
}
