import { LRUCache } from 'lru-cache';
import type { UserDto, UsersService } from '@app/users';

/** Longest a user record read by the MCP door is reused without asking the database again. */
export const USER_READ_TTL_MS = 5_000;
const USER_READ_MAX = 5_000;

/**
 * The user reads of the MCP door (`get_user`, `kb://users/{id}`) with a small cache in front:
 * an agent looking up the same few people over and over costs no query each time. Entries
 * live USER_READ_TTL_MS at most and are dropped as soon as the user changes anywhere (the
 * `user.updated` outbox event, via PrincipalRevocations: at once for writes on this instance,
 * within one event poll for others), like the principal cache. Misses are not cached.
 */
export class CachedUserReads {
  private readonly cache = new LRUCache<string, UserDto>({ max: USER_READ_MAX, ttl: USER_READ_TTL_MS });

  constructor(private readonly users: UsersService) {}

  async get(id: string): Promise<UserDto> {
    return this.cache.get(`id ${id}`) ?? this.keep(await this.users.get(id));
  }

  async getByEmail(email: string): Promise<UserDto> {
    return (
      this.cache.get(`email ${email.trim().toLowerCase()}`) ?? this.keep(await this.users.getByEmail(email))
    );
  }

  /** Drops what is cached about one user (changed), or everything. */
  forget(userId?: string): void {
    if (!userId) return this.cache.clear();
    for (const [key, u] of this.cache.entries()) if (u.id === userId) this.cache.delete(key);
  }

  private keep(u: UserDto): UserDto {
    this.cache.set(`id ${u.id}`, u);
    this.cache.set(`email ${u.email.toLowerCase()}`, u);
    return u;
  }
}
