import { Injectable } from '@nestjs/common';
import {
  ConflictError,
  ForbiddenError,
  ROLE_SCOPES,
  hasScope,
  InvalidError,
  isUuid,
  NotFoundError,
  ROLES,
  clampLimit,
  decodeCursor,
  toPage,
  type FieldError,
  type Page,
  type Principal,
  type RoleName,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { appendEvent, changedFields, versionedUpdate } from '@app/events';
import { writeAudit } from '@app/observability';
import { hashPassword } from './password';
import { passwordWeakness } from './password-policy';
import { toUserDto, type UserDto, type UserRow } from './user.dto';

export interface CreateUserInput {
  email: string;
  name?: string;
  role?: RoleName;
  password?: string | null;
}

export interface UpdateUserInput {
  expectedVersion?: number;
  name?: string;
  role?: RoleName;
  active?: boolean;
  password?: string;
}

export interface ListUsersInput {
  query?: string;
  role?: RoleName;
  active?: boolean;
  limit?: number;
  cursor?: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;
type UserCursor = [string, string];
/** Serialises changes to who is an active admin (the last-admin invariant spans rows). */
const ADMINS_LOCK_KEY = 72707371;

const isUserCursor = (v: unknown): v is UserCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');

/** The caller must hold every scope the role grants (a users:write key cannot mint an admin). */
function assertCanManageRole(actor: Principal, role: RoleName): void {
  const beyond = (ROLE_SCOPES[role] ?? []).filter((s) => !hasScope(actor, s));
  if (beyond.length)
    throw new ForbiddenError(
      `you cannot create or change a user with the ${role} role: it grants ${beyond.join(', ')}, which you do not hold`,
    );
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(private readonly db: DatabaseService) {}

  async create(input: CreateUserInput, actor: Principal): Promise<UserDto> {
    const email = normalizeEmail(input.email ?? '');
    const errors: FieldError[] = [];
    if (!EMAIL.test(email) || email.length > 254)
      errors.push({ field: 'email', message: 'must be an email address' });
    if (input.role !== undefined && !ROLES.includes(input.role)) {
      errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
    }
    const weak = input.password != null ? passwordWeakness(input.password, [email, input.name ?? '']) : null;
    if (weak) errors.push({ field: 'password', message: weak });
    if (errors.length) throw new InvalidError('user is not valid', errors);
    assertCanManageRole(actor, input.role ?? 'viewer');
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.db.transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
        throw new ConflictError(`a user with email ${email} already exists`, { field: 'email' });
      }
      const user = await this.insert(
        tx,
        {
          email,
          name: input.name?.trim() || email.split('@')[0],
          role: input.role ?? 'viewer',
          passwordHash,
        },
        actor,
      );
      return toUserDto(user);
    });
  }

  /** Finds the requester of a ticket by email, creating a viewer without password if unknown. */
  async ensureRequester(tx: Tx, email: string, actor: Principal): Promise<UserRow> {
    const normalized = normalizeEmail(email);
    if (!EMAIL.test(normalized)) {
      throw new InvalidError('requesterEmail is not valid', [
        { field: 'requesterEmail', message: 'must be an email address' },
      ]);
    }
    const existing = await tx.user.findUnique({ where: { email: normalized } });
    if (existing) return existing;
    // INSERT … ON CONFLICT DO NOTHING: a concurrent request creating the same requester waits
    // for the other transaction, then finds its row instead of failing on the unique index.
    const [created] = await tx.user.createManyAndReturn({
      data: [{ email: normalized, name: normalized.split('@')[0], role: 'viewer', passwordHash: null }],
      skipDuplicates: true,
    });
    if (!created) return tx.user.findUniqueOrThrow({ where: { email: normalized } });
    await this.announce(tx, created, actor);
    return created;
  }

  /** An active agent or admin who can be assigned tickets; otherwise an InvalidError on `field`. */
  async getAssignee(tx: Tx | null, id: string, field = 'assigneeId'): Promise<UserRow> {
    const client = tx ?? this.db.prisma;
    const user = isUuid(id) ? await client.user.findUnique({ where: { id } }) : null;
    if (!user)
      throw new InvalidError(`${field} does not name a user`, [{ field, message: 'no user with this id' }]);
    if (!user.active || user.role === 'viewer') {
      throw new InvalidError(`${field} must be an active agent or admin`, [
        {
          field,
          message: `${user.email} is ${user.active ? 'a viewer' : 'deactivated'}; assign an active agent or admin`,
        },
      ]);
    }
    return user;
  }

  async update(id: string, input: UpdateUserInput, actor: Principal): Promise<UserDto> {
    const errors: FieldError[] = [];
    if (input.role !== undefined && !ROLES.includes(input.role)) {
      errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
    }
    if (input.password !== undefined) {
      const known = isUuid(id) ? await this.db.prisma.user.findUnique({ where: { id } }) : null;
      const weak = passwordWeakness(input.password, [known?.email ?? '', input.name ?? known?.name ?? '']);
      if (weak) errors.push({ field: 'password', message: weak });
    }
    if (input.name !== undefined && !input.name.trim())
      errors.push({ field: 'name', message: 'must not be empty' });
    if (errors.length) throw new InvalidError('user update is not valid', errors);
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    return this.db.transaction(async (tx) => {
      // Changes that may remove an active admin run one at a time (a transaction-scoped lock),
      // so the last-admin count below sees every demotion committed before it.
      if (input.role !== undefined || input.active !== undefined) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINS_LOCK_KEY}::bigint)`;
      }
      const current = await this.lockUser(tx, id);
      // Nobody changes a user more powerful than themselves, or makes one.
      assertCanManageRole(actor, current.role);
      if (input.role !== undefined) assertCanManageRole(actor, input.role);
      const { row } = await versionedUpdate(tx, {
        entity: 'user',
        key: id,
        current,
        expectedVersion: input.expectedVersion,
        plan: async () => {
          const changes: Prisma.UserUpdateInput = changedFields(current, {
            name: input.name?.trim(),
            role: input.role,
            active: input.active,
          });
          const demotes =
            current.role === 'admin' &&
            current.active &&
            (changes.role !== undefined || changes.active === false);
          if (demotes && (await tx.user.count({ where: { role: 'admin', active: true } })) <= 1)
            throw new ConflictError('this is the last active admin; promote another admin first');
          if (passwordHash) changes.passwordHash = passwordHash;
          // Tokens issued before a change of password, role or active flag stop working.
          if (passwordHash || changes.role !== undefined || changes.active !== undefined)
            changes.credentialsVersion = current.credentialsVersion + 1;
          return changes;
        },
        save: (data) => tx.user.update({ where: { id: current.id }, data }),
        change: (user) => ({
          topic: 'users',
          event: 'user.updated',
          entityId: user.id,
          data: toUserDto(user),
          actor,
          audit: { action: 'user.update', targetType: 'user', targetId: user.id },
        }),
      });
      return toUserDto(row);
    });
  }

  /** Reads the user under a row lock (concurrent writers to it run one after the other). */
  private async lockUser(tx: Tx, id: string) {
    const locked = isUuid(id)
      ? await tx.$queryRaw<
          { id: string }[]
        >`SELECT id::text AS id FROM "user" WHERE id = ${id}::uuid FOR UPDATE`
      : [];
    if (!locked.length) throw new NotFoundError('user', id);
    return tx.user.findUniqueOrThrow({ where: { id: locked[0].id } });
  }

  async get(id: string): Promise<UserDto> {
    return toUserDto(await this.findOrThrow(this.db.prisma, id));
  }

  async getByEmail(email: string): Promise<UserDto> {
    const user = await this.db.prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
    if (!user) throw new NotFoundError('user', email);
    return toUserDto(user);
  }

  async list(input: ListUsersInput): Promise<Page<UserDto>> {
    const limit = clampLimit(input.limit);
    const after = decodeCursor(input.cursor, isUserCursor);
    const q = input.query?.trim();
    const where: Prisma.UserWhereInput = {
      AND: [
        input.role ? { role: input.role } : {},
        input.active !== undefined ? { active: input.active } : {},
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
    const rows = await this.db.prisma.user.findMany({
      where,
      orderBy: [{ email: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    return toPage(rows, limit, toUserDto, (u) => [u.email, u.id]);
  }

  private async insert(
    tx: Tx,
    data: { email: string; name: string; role: RoleName; passwordHash: string | null },
    actor: Principal,
  ): Promise<UserRow> {
    const user = await tx.user.create({ data });
    await this.announce(tx, user, actor);
    return user;
  }

  /** The outbox event and audit entry of a new user (same transaction). */
  private async announce(tx: Tx, user: UserRow, actor: Principal): Promise<void> {
    await appendEvent(tx, {
      topic: 'users',
      event: 'user.created',
      entityId: user.id,
      data: toUserDto(user),
      actor,
    });
    await writeAudit(tx, {
      actor,
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
    });
  }

  private async findOrThrow(client: Pick<Tx, 'user'>, id: string): Promise<UserRow> {
    const user = isUuid(id) ? await client.user.findUnique({ where: { id } }) : null;
    if (!user) throw new NotFoundError('user', id);
    return user;
  }
}
