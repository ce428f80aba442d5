import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ForbiddenError,
  assertNotOAuthApp,
  assertScopes,
  NotFoundError,
  ROLE_SCOPES,
  clampLimit,
  decodeCursor,
  hasScope,
  isScope,
  parseInput,
  toPage,
  uuidSchema,
  type Page,
  type Principal,
  type RoleName,
  type Scope,
} from '@app/core';
import { DatabaseService } from '@app/database';
import { versionedUpdate } from '@app/events';
import { writeAudit } from '@app/observability';
import { UserRepository, type KeyCursor } from './user.repository';
import {
  createApiKeySchema,
  toApiKeyDto,
  type ApiKeyDto,
  type CreateApiKeyInput,
  type CreatedApiKey,
} from './user.schema';

/** Secrets look like `cdk_<8 prefix chars>_<32 random chars>`; only a SHA-256 is stored. */
export const API_KEY_PREFIX = 'cdk_';

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** lastUsedAt is refreshed at most this often, so a busy key does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

const isKeyCursor = (v: unknown): v is KeyCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');

/** What the service takes: the REST body, plus the owner a system caller (the CLI) may name. */
const createKeyInputSchema = createApiKeySchema.extend({ ownerId: uuidSchema.optional() });

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: DatabaseService,
    private readonly repo: UserRepository,
  ) {}

  /**
   * Creates a key. Needs `keys:write` (admins have it). The key is owned by the caller (the
   * system, e.g. the CLI, may name another owner) and can never carry a scope the caller or
   * the owner lacks; a key that mints a key cannot make one that outlives it (when the caller
   * key expires and no expiry is given, the new key inherits the caller's).
   */
  async create(input: CreateApiKeyInput & { ownerId?: string }, actor: Principal): Promise<CreatedApiKey> {
    const data = parseInput(createKeyInputSchema, input, 'API key');
    assertNotOAuthApp(actor, 'create API keys');
    assertScopes(actor, ['keys:write']);
    const ownerId = actor.kind === 'system' && data.ownerId ? data.ownerId : actor.userId;
    if (!ownerId) throw new ForbiddenError('only a user can own an API key');
    const scopes: Scope[] = data.scopes;
    const beyond = scopes.filter((s) => !hasScope(actor, s));
    if (beyond.length)
      throw new ForbiddenError(`you cannot grant scopes you do not hold: ${beyond.join(', ')}`);
    let expiresAt = data.expiresAt ? new Date(data.expiresAt) : null;
    const ceiling = await this.callerKeyExpiry(actor);
    if (ceiling) {
      if (expiresAt && expiresAt > ceiling)
        throw new ForbiddenError(
          `a key cannot create a key that outlives it: expiresAt must be on or before ${ceiling.toISOString()}`,
        );
      expiresAt ??= ceiling;
    }
    const owner = await this.repo.findById(ownerId);
    if (!owner || !owner.active) throw new ForbiddenError('the owner of the key must be an active user');
    const ownerScopes = ROLE_SCOPES[owner.role];
    const beyondOwner = scopes.filter((s) => !hasScope({ scopes: ownerScopes }, s));
    if (beyondOwner.length)
      throw new ForbiddenError(`the owner's role does not grant ${beyondOwner.join(', ')}`);

    const prefix = randomBytes(6).toString('base64url').slice(0, 8);
    const secret = `${API_KEY_PREFIX}${prefix}_${randomBytes(24).toString('base64url')}`;
    return this.db.transaction(async (tx) => {
      const key = await this.repo.insertKey(tx, {
        name: data.name,
        prefix,
        secretHash: hashSecret(secret),
        scopes,
        ownerId,
        expiresAt,
      });
      await writeAudit(tx, {
        actor,
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: key.id,
        outcome: 'success',
        detail: scopes.join(' '),
      });
      return { ...toApiKeyDto(key), secret };
    });
  }

  /** Admins see every key; others see their own. */
  async list(actor: Principal, page: { limit?: number; cursor?: string | null }): Promise<Page<ApiKeyDto>> {
    const limit = clampLimit(page.limit);
    const after = decodeCursor(page.cursor, isKeyCursor);
    const rows = await this.repo.listKeys(
      hasScope(actor, 'admin') ? null : (actor.userId ?? ''),
      after,
      limit,
    );
    return toPage(rows, limit, toApiKeyDto, (k) => [k.createdAt.toISOString(), k.id]);
  }

  /**
   * Revokes a key (the write recipe: revoking a revoked key changes nothing). Needs `keys:write`,
   * except for a key revoking itself. Non-admins reach only keys of their own user; nobody
   * revokes a key that holds a scope they lack.
   */
  async revoke(id: string, actor: Principal): Promise<ApiKeyDto> {
    const self = actor.kind === 'api_key' && actor.apiKeyId === id;
    if (!self) assertScopes(actor, ['keys:write']);
    return this.db.transaction(async (tx) => {
      const key = await this.repo.lockKey(tx, id);
      if (!key || (!hasScope(actor, 'admin') && key.ownerId !== actor.userId))
        throw new NotFoundError('API key', id);
      const stronger = key.scopes.filter(isScope).filter((s) => !hasScope(actor, s));
      if (!self && stronger.length)
        throw new ForbiddenError(
          `you cannot revoke a key with more power than yours (it holds ${stronger.join(', ')})`,
        );
      const { row } = await versionedUpdate(tx, {
        entity: 'API key',
        key: id,
        current: key,
        plan: () => (key.revokedAt ? {} : { revokedAt: new Date() }),
        save: (changes) => this.repo.updateKey(tx, id, changes),
        // Every instance closes the key's live streams when it reads this from the outbox.
        change: (revoked) => ({
          topic: 'users',
          event: 'api_key.revoked',
          entityId: id,
          data: { id, ownerId: revoked.ownerId, revokedAt: revoked.revokedAt!.toISOString() },
          actor,
          audit: { action: 'api_key.revoke', targetType: 'api_key', targetId: id },
        }),
      });
      return toApiKeyDto(row);
    });
  }

  /** When the caller is an API key with an expiry: that expiry (keys it mints cannot outlive it). */
  private async callerKeyExpiry(actor: Principal): Promise<Date | null> {
    if (actor.kind !== 'api_key' || !actor.apiKeyId) return null;
    return (await this.repo.findKey(actor.apiKeyId))?.expiresAt ?? null;
  }

  /**
   * Resolves a presented secret to its key and owner, or null when unknown, revoked, expired or
   * owned by a deactivated user. Effective scopes: the key's, limited by the owner's current role.
   */
  async resolve(secret: string): Promise<{
    keyId: string;
    name: string;
    scopes: Scope[];
    owner: { id: string; email: string; name: string; role: RoleName };
  } | null> {
    if (!secret.startsWith(API_KEY_PREFIX)) return null;
    const key = await this.repo.findKeyBySecretHash(hashSecret(secret));
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= new Date()) || !key.owner.active)
      return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.repo.touchKey(key.id);
    }
    const roleScopes = ROLE_SCOPES[key.owner.role];
    const scopes = key.scopes
      .filter(isScope)
      .filter((s) => roleScopes.includes('admin') || roleScopes.includes(s));
    return {
      keyId: key.id,
      name: key.name,
      scopes,
      owner: { id: key.owner.id, email: key.owner.email, name: key.owner.name, role: key.owner.role },
    };
  }
}
