import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ForbiddenError,
  assertScopes,
  InvalidError,
  NotFoundError,
  ROLE_SCOPES,
  SCOPES,
  clampLimit,
  decodeCursor,
  hasScope,
  isUuid,
  isScope,
  toPage,
  type Page,
  type Principal,
  type RoleName,
  type Scope,
} from '@app/core';
import { DatabaseService } from '@app/database';
import { appendEvent } from '@app/events';
import { writeAudit } from '@app/observability';

/** Secrets look like `cdk_<8 prefix chars>_<32 random chars>`; only a SHA-256 is stored. */
export const API_KEY_PREFIX = 'cdk_';

export interface ApiKeyDto {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  ownerId: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyDto {
  /** Shown once, at creation. */
  secret: string;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  ownerId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export const toApiKeyDto = (k: ApiKeyRow): ApiKeyDto => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes.filter(isScope),
  ownerId: k.ownerId,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** lastUsedAt is refreshed at most this often, so a busy key does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

type KeyCursor = [string, string];
const isKeyCursor = (v: unknown): v is KeyCursor =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');

@Injectable()
export class ApiKeysService {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Creates a key. Needs `keys:write` (admins have it). The key is owned by the caller (the
   * system, e.g. the CLI, may name another owner) and can never carry a scope the caller or
   * the owner lacks; a key that mints a key cannot make one that outlives it (when the caller
   * key expires and no expiry is given, the new key inherits the caller's).
   */
  async create(
    input: { name: string; scopes: string[]; expiresAt?: Date | null; ownerId?: string },
    actor: Principal,
  ): Promise<CreatedApiKey> {
    const name = input.name?.trim() ?? '';
    const errors = [];
    if (!name || name.length > 100) errors.push({ field: 'name', message: 'must be 1 to 100 characters' });
    const unknown = (input.scopes ?? []).filter((s) => !isScope(s));
    if (!input.scopes?.length)
      errors.push({ field: 'scopes', message: `must list at least one of ${SCOPES.join(', ')}` });
    if (unknown.length)
      errors.push({
        field: 'scopes',
        message: `unknown scope ${unknown.join(', ')}; use ${SCOPES.join(', ')}`,
      });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
      errors.push({ field: 'expiresAt', message: 'must be in the future' });
    if (errors.length) throw new InvalidError('API key is not valid', errors);
    assertScopes(actor, ['keys:write']);
    const ownerId = actor.kind === 'system' && input.ownerId ? input.ownerId : actor.userId;
    if (!ownerId) throw new ForbiddenError('only a user can own an API key');
    const scopes = [...new Set(input.scopes as Scope[])];
    const beyond = scopes.filter((s) => !hasScope(actor, s));
    if (beyond.length)
      throw new ForbiddenError(`you cannot grant scopes you do not hold: ${beyond.join(', ')}`);
    let expiresAt = input.expiresAt ?? null;
    const ceiling = await this.callerKeyExpiry(actor);
    if (ceiling) {
      if (expiresAt && expiresAt > ceiling)
        throw new ForbiddenError(
          `a key cannot create a key that outlives it: expiresAt must be on or before ${ceiling.toISOString()}`,
        );
      expiresAt ??= ceiling;
    }
    const owner = await this.db.prisma.user.findUnique({ where: { id: ownerId } });
    if (!owner || !owner.active) throw new ForbiddenError('the owner of the key must be an active user');
    const ownerScopes = ROLE_SCOPES[owner.role];
    const beyondOwner = scopes.filter((s) => !hasScope({ scopes: ownerScopes }, s));
    if (beyondOwner.length)
      throw new ForbiddenError(`the owner's role does not grant ${beyondOwner.join(', ')}`);

    const prefix = randomBytes(6).toString('base64url').slice(0, 8);
    const secret = `${API_KEY_PREFIX}${prefix}_${randomBytes(24).toString('base64url')}`;
    return this.db.transaction(async (tx) => {
      const key = await tx.apiKey.create({
        data: {
          name,
          prefix,
          secretHash: hashSecret(secret),
          scopes,
          ownerId,
          expiresAt,
        },
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
    const rows = await this.db.prisma.apiKey.findMany({
      where: {
        AND: [
          hasScope(actor, 'admin') ? {} : { ownerId: actor.userId ?? '' },
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
    return toPage(rows, limit, toApiKeyDto, (k) => [k.createdAt.toISOString(), k.id]);
  }

  /**
   * Revokes a key. Needs `keys:write`, except for a key revoking itself. Non-admins reach only
   * keys of their own user; nobody revokes a key that holds a scope they lack.
   */
  async revoke(id: string, actor: Principal): Promise<ApiKeyDto> {
    const self = actor.kind === 'api_key' && actor.apiKeyId === id;
    if (!self) assertScopes(actor, ['keys:write']);
    return this.db.transaction(async (tx) => {
      const key = isUuid(id) ? await tx.apiKey.findUnique({ where: { id } }) : null;
      if (!key || (!hasScope(actor, 'admin') && key.ownerId !== actor.userId))
        throw new NotFoundError('API key', id);
      const stronger = key.scopes.filter(isScope).filter((s) => !hasScope(actor, s));
      if (!self && stronger.length)
        throw new ForbiddenError(
          `you cannot revoke a key with more power than yours (it holds ${stronger.join(', ')})`,
        );
      let updated = key;
      if (!key.revokedAt) {
        updated = await tx.apiKey.update({
          where: { id },
          data: { revokedAt: new Date(), version: { increment: 1 } },
        });
        // Every instance closes the key's live streams when it reads this from the outbox.
        await appendEvent(tx, {
          topic: 'users',
          event: 'api_key.revoked',
          entityId: id,
          data: { id, ownerId: key.ownerId, revokedAt: updated.revokedAt!.toISOString() },
          actor,
        });
      }
      await writeAudit(tx, {
        actor,
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        outcome: 'success',
      });
      return toApiKeyDto(updated);
    });
  }

  /** When the caller is an API key with an expiry: that expiry (keys it mints cannot outlive it). */
  private async callerKeyExpiry(actor: Principal): Promise<Date | null> {
    if (actor.kind !== 'api_key' || !actor.apiKeyId) return null;
    const key = await this.db.prisma.apiKey.findUnique({
      where: { id: actor.apiKeyId },
      select: { expiresAt: true },
    });
    return key?.expiresAt ?? null;
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
    const key = await this.db.prisma.apiKey.findUnique({
      where: { secretHash: hashSecret(secret) },
      include: { owner: true },
    });
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= new Date()) || !key.owner.active)
      return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.prisma.apiKey
        .update({ where: { id: key.id }, data: { lastUsedAt: new Date() } })
        .catch(() => undefined);
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
