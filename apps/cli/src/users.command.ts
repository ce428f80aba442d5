import { ROLES, systemPrincipal, type RoleName } from '@app/core';
import { UsersService } from '@app/users';
import { parseOptions, required } from './args';
import { withDomain } from './cli.module';

/** `users create --email E --name N --role admin|agent|viewer [--password P]` */
export async function usersCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create')
    throw new Error('usage: context-desk users create --email E --name N --role R [--password P]');
  const { values } = parseOptions(rest, {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', default: 'viewer' },
    password: { type: 'string' },
  });
  const role = values.role as RoleName;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const email = required(values.email, 'email');
  await withDomain(async (app) => {
    const user = await app
      .get(UsersService)
      .create(
        { email, name: values.name ?? email.split('@')[0], role, password: values.password },
        systemPrincipal('cli', 'cli'),
      );
    console.log(
      `Created ${user.role} ${user.email} (id ${user.id})${values.password ? '' : ' without a password'}`,
    );
  });
}
