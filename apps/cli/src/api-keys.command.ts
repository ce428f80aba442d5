import { systemPrincipal, type Scope } from '@app/core';
import { DatabaseService } from '@app/database';
import { ApiKeysService } from '@app/users';
import { parseOptions, required } from './args';
import { withDomain } from './cli.module';

/**
 * `api-keys create --name N --scopes a,b [--owner email]`: prints the secret once. The key is
 * owned by --owner (default: the first admin) and cannot exceed that user's scopes.
 */
export async function apiKeysCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create')
    throw new Error('usage: context-desk api-keys create --name N --scopes a,b [--owner email]');
  const { values } = parseOptions(rest, {
    name: { type: 'string' },
    scopes: { type: 'string' },
    owner: { type: 'string' },
  });
  const name = required(values.name, 'name');
  const scopes = required(values.scopes, 'scopes')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  await withDomain(async (app) => {
    const db = app.get(DatabaseService);
    const owner = values.owner
      ? await db.prisma.user.findUnique({ where: { email: values.owner.toLowerCase() } })
      : await db.prisma.user.findFirst({
          where: { role: 'admin', active: true },
          orderBy: { createdAt: 'asc' },
        });
    if (!owner)
      throw new Error(
        values.owner ? `no user ${values.owner}` : 'no active admin; run `context-desk seed` first',
      );
    const key = await app
      .get(ApiKeysService)
      .create({ name, scopes: scopes as Scope[], ownerId: owner.id }, systemPrincipal('cli', 'cli')); // the service refuses unknown scopes
    console.log(`Created API key "${key.name}" (${key.scopes.join(', ')}) for ${owner.email}`);
    console.log(key.secret);
  });
}
