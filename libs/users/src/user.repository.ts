import { Injectable } from '@nestjs/common';
import { NotFoundError, isUuid, type RoleName } from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import type { ApiKeyRow, UserRow } from './user.schema';

/** Serialises changes to who is an active admin (the last-admin invariant spans rows). */
const ADMINS_LOCK_KEY = 72707371;

export type UserCursor = [string, string];
export type KeyCursor = [string, string];

/** The SQL of users and their API keys, in one place. Writes take the caller's transaction. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: DatabaseService) {}

  private client(tx?: Tx | null): Pick<Tx, 'user' | 'apiKey'> {
    return tx ?? this.db.prisma;
  }

  findById(id: string, tx?: Tx | null): Promise<UserRow | null> {
    return isUuid(id) ? this.client(tx).user.findUnique({ where: { id } }) : Promise.resolve(null);
  }

  findByEmail(email: string, tx?: Tx | null): Promise<UserRow | null> {
    return this.client(tx).user.findUnique({ where: { email } });
  }

  async getById(id: string, tx?: Tx | null): Promise<UserRow> {
    const user = await this.findById(id, tx);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  insert(
    tx: Tx,
    data: { email: string; name: string; role: RoleName; passwordHash: string | null },
  ): Promise<UserRow> {
    return tx.user.create({ data });
  }

  /**
   * INSERT … ON CONFLICT DO NOTHING: a concurrent request creating the same user waits for the
   * other transaction; null when the row already existed.
   */
  async insertIfAbsent(
    tx: Tx,
    data: { email: string; name: string; role: RoleName },
  ): Promise<UserRow | null> {
    const [created] = await tx.user.createManyAndReturn({
      data: [{ ...data, passwordHash: null }],
      skipDuplicates: true,
    });
    return created ?? null;
  }

  update(tx: Tx, id: string, data: Prisma.UserUpdateInput): Promise<UserRow> {
    return tx.user.update({ where: { id }, data });
  }

  /** Reads the user under a row lock (concurrent writers to it run one after the other). */
  async lock(tx: Tx, id: string): Promise<UserRow> {
    const locked = isUuid(id)
      ? await tx.$queryRaw<
          { id: string }[]
        >`SELECT id::text AS id FROM "user" WHERE id = ${id}::uuid FOR UPDATE`
      : [];
    if (!locked.length) throw new NotFoundError('user', id);
    return tx.user.findUniqueOrThrow({ where: { id: locked[0].id } });
  }

  /**
   * Takes the transaction-scoped lock that serialises changes to who is an active admin, so a
   * count after it sees every demotion committed before.
   */
  async lockAdmins(tx: Tx): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINS_LOCK_KEY}::bigint)`;
  }

  countActiveAdmins(tx: Tx): Promise<number> {
    return tx.user.count({ where: { role: 'admin', active: true } });
  }

  /** Users by email then id, after the cursor; one more than `limit` (to tell whether a page follows). */
  list(
    filter: { query?: string; role?: RoleName; active?: boolean },
    after: UserCursor | null,
    limit: number,
  ): Promise<UserRow[]> {
    const q = filter.query;
    const where: Prisma.UserWhereInput = {
      AND: [
        filter.role ? { role: filter.role } : {},
        filter.active !== undefined ? { active: filter.active } : {},
        q
          ? {
              OR: [
                { email: { contains: q, mode: 'insensitive' } },
                { name: { contains: q, mode: 'insensitive' } },
              ],
            }
          : {},
        after ? { OR: [{ email: { gt: after[0] } }, { email: after[0], id: { gt: after[1] } }] } : {},
      ],
    };
    return this.db.prisma.user.findMany({
      where,
      orderBy: [{ email: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
  }

  // API keys

  insertKey(tx: Tx, data: Prisma.ApiKeyUncheckedCreateInput): Promise<ApiKeyRow> {
    return tx.apiKey.create({ data });
  }

  findKey(id: string, tx?: Tx | null): Promise<ApiKeyRow | null> {
    return isUuid(id) ? this.client(tx).apiKey.findUnique({ where: { id } }) : Promise.resolve(null);
  }

  /** Reads the key under a row lock. */
  async lockKey(tx: Tx, id: string): Promise<ApiKeyRow | null> {
    if (!isUuid(id)) return null;
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM api_key WHERE id = ${id}::uuid FOR UPDATE`;
    return locked.length ? tx.apiKey.findUniqueOrThrow({ where: { id: locked[0].id } }) : null;
  }

  updateKey(tx: Tx, id: string, data: Prisma.ApiKeyUpdateInput): Promise<ApiKeyRow> {
    return tx.apiKey.update({ where: { id }, data });
  }

  findKeyBySecretHash(secretHash: string) {
    return this.db.prisma.apiKey.findUnique({ where: { secretHash }, include: { owner: true } });
  }

  /** Best effort: a failed refresh of lastUsedAt never fails the request that used the key. */
  async touchKey(id: string): Promise<void> {
    await this.db.prisma.apiKey
      .update({ where: { id }, data: { lastUsedAt: new Date() } })
      .catch(() => undefined);
  }

  /** Keys newest first (an owner's, or all when `ownerId` is null), after the cursor; limit + 1 rows. */
  listKeys(ownerId: string | null, after: KeyCursor | null, limit: number): Promise<ApiKeyRow[]> {
    return this.db.prisma.apiKey.findMany({
      where: {
        AND: [
          ownerId === null ? {} : { ownerId },
          after
            ? {
                OR: [
                  { createdAt: { lt: new Date(after[0]) } },
                  { createdAt: new Date(after[0]), id: { lt: after[1] } },
                ],
              }
            : {},
        ],
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }
}
