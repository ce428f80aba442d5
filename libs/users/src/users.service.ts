import { Injectable } from '@nestjs/common';
import {
  assertNotOAuthApp,
  ConflictError,
  ForbiddenError,
  ROLE_SCOPES,
  hasScope,
  InvalidError,
  NotFoundError,
  clampLimit,
  decodeCursor,
  emailSchema,
  parseInput,
  toPage,
  type Page,
  type Principal,
  type RoleName,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { changedFields, recordChange, versionedUpdate } from '@app/events';
import { hashPassword } from './password';
import { passwordWeakness } from './password-policy';
import { UserRepository, type UserCursor } from './user.repository';
import {
  createUserSchema,
  listUsersSchema,
  toUserDto,
  updateUserSchema,
  type CreateUserInput,
  type ListUsersInput,
  type UpdateUserInput,
  type UserDto,
  type UserRow,
} from './user.schema';

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

/** Refuses a guessable password (the rule needs the user's email and name, so it runs after parsing). */
function assertStrongPassword(password: string | undefined, context: string[], what: string): void {
  const weak = password !== undefined ? passwordWeakness(password, context) : null;
  if (weak)
    throw new InvalidError(`${what} is not valid: password ${weak}`, [{ field: 'password', message: weak }]);
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DatabaseService,
    private readonly repo: UserRepository,
  ) {}

  async create(input: CreateUserInput, actor: Principal): Promise<UserDto> {
    const data = parseInput(createUserSchema, input, 'user');
    if (data.password !== undefined) assertNotOAuthApp(actor, 'set passwords');
    assertStrongPassword(data.password, [data.email, data.name], 'user');
    assertCanManageRole(actor, data.role);
    const passwordHash = data.password ? await hashPassword(data.password) : null;
    return this.db.transaction(async (tx) => {
      if (await this.repo.findByEmail(data.email, tx)) {
        throw new ConflictError(`a user with email ${data.email} already exists`, { field: 'email' });
      }
      const user = await this.repo.insert(tx, {
        email: data.email,
        name: data.name,
        role: data.role,
        passwordHash,
      });
      await this.announce(tx, user, actor);
      return toUserDto(user);
    });
  }

  /** Finds the requester of a ticket by email, creating a viewer without password if unknown. */
  async ensureRequester(tx: Tx, email: string, actor: Principal): Promise<UserRow> {
    const parsed = emailSchema.safeParse(email);
    if (!parsed.success) {
      throw new InvalidError('requesterEmail is not valid', [
        { field: 'requesterEmail', message: 'must be an email address' },
      ]);
    }
    const normalized = parsed.data;
    const existing = await this.repo.findByEmail(normalized, tx);
    if (existing) return existing;
    const created = await this.repo.insertIfAbsent(tx, {
      email: normalized,
      name: normalized.split('@')[0],
      role: 'viewer',
    });
    if (!created) return (await this.repo.findByEmail(normalized, tx))!;
    await this.announce(tx, created, actor);
    return created;
  }

  /** An active agent or admin who can be assigned tickets; otherwise an InvalidError on `field`. */
  async getAssignee(tx: Tx | null, id: string, field = 'assigneeId'): Promise<UserRow> {
    const user = await this.repo.findById(id, tx);
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

  /**
   * The write recipe (libs/events/src/write-recipe.ts). A change that may remove an active admin
   * first takes the admins lock, so two concurrent demotions cannot remove the last one.
   */
  async update(id: string, input: UpdateUserInput, actor: Principal): Promise<UserDto> {
    const data = parseInput(updateUserSchema, input, 'user update');
    if (data.password !== undefined) {
      assertNotOAuthApp(actor, 'set passwords');
      const known = await this.repo.findById(id);
      assertStrongPassword(
        data.password,
        [known?.email ?? '', data.name ?? known?.name ?? ''],
        'user update',
      );
    }
    const passwordHash = data.password ? await hashPassword(data.password) : undefined;
    return this.db.transaction(async (tx) => {
      if (data.role !== undefined || data.active !== undefined) await this.repo.lockAdmins(tx);
      const current = await this.repo.lock(tx, id);
      // Nobody changes a user more powerful than themselves, or makes one.
      assertCanManageRole(actor, current.role);
      if (data.role !== undefined) assertCanManageRole(actor, data.role);
      const { row } = await versionedUpdate(tx, {
        entity: 'user',
        key: id,
        current,
        expectedVersion: data.expectedVersion,
        plan: async () => {
          const changes: Prisma.UserUpdateInput = changedFields(current, {
            name: data.name,
            role: data.role,
            active: data.active,
          });
          const demotes =
            current.role === 'admin' &&
            current.active &&
            (changes.role !== undefined || changes.active === false);
          if (demotes && (await this.repo.countActiveAdmins(tx)) <= 1)
            throw new ConflictError('this is the last active admin; promote another admin first');
          if (passwordHash) changes.passwordHash = passwordHash;
          // Tokens issued before a change of password, role or active flag stop working.
          if (passwordHash || changes.role !== undefined || changes.active !== undefined)
            changes.credentialsVersion = current.credentialsVersion + 1;
          return changes;
        },
        save: (changes) => this.repo.update(tx, current.id, changes),
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

  async get(id: string): Promise<UserDto> {
    return toUserDto(await this.repo.getById(id));
  }

  async getByEmail(email: string): Promise<UserDto> {
    const user = await this.repo.findByEmail(normalizeEmail(email));
    if (!user) throw new NotFoundError('user', email);
    return toUserDto(user);
  }

  async list(input: ListUsersInput): Promise<Page<UserDto>> {
    const filter = parseInput(listUsersSchema, input, 'user list');
    const limit = clampLimit(filter.limit);
    const after = decodeCursor(filter.cursor, isUserCursor);
    const rows = await this.repo.list(
      { query: filter.query || undefined, role: filter.role, active: filter.active },
      after,
      limit,
    );
    return toPage(rows, limit, toUserDto, (u) => [u.email, u.id]);
  }

  /** The outbox event and audit entry of a new user (same transaction). */
  private async announce(tx: Tx, user: UserRow, actor: Principal): Promise<void> {
    await recordChange(tx, {
      topic: 'users',
      event: 'user.created',
      entityId: user.id,
      data: toUserDto(user),
      actor,
      audit: { action: 'user.create', targetType: 'user', targetId: user.id },
    });
  }
}
