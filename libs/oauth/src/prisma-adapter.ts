import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import { GRANT_CREDENTIALS_VERSION, oauthStoredId } from '@app/auth';
import type { DatabaseService } from '@app/database';
import type { Prisma } from '@app/database';

/**
 * oidc-provider's storage on the `oauth_record` table, so that grants, codes, tokens, sessions
 * and registered clients survive restarts and are shared by every instance. Secret ids (tokens,
 * codes, session and interaction ids) are stored as SHA-256 hashes; `jti` is left out of the
 * stored payload and put back on read. A new `Grant` records the user's credentialsVersion (kept
 * when the grant is saved again), so that a password or role change retires it (libs/auth).
 */
export function prismaAdapter(db: DatabaseService): AdapterConstructor {
  return class PrismaOAuthAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return { model_id: { model: this.model, id: oauthStoredId(this.model, id) } };
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const stored: Record<string, unknown> = { ...payload };
      const hashed = oauthStoredId(this.model, id) !== id;
      if (hashed) delete stored.jti;
      if (this.model === 'Grant' && payload.accountId)
        stored[GRANT_CREDENTIALS_VERSION] = await this.grantCredentialsVersion(id, payload.accountId);
      const data = {
        payload: stored as Prisma.InputJsonValue,
        grantId: payload.grantId ?? null,
        accountId: payload.accountId ?? null,
        clientId: this.model === 'Client' ? id : (payload.clientId ?? null),
        uid: payload.uid ?? null,
        userCode: payload.userCode ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await db.prisma.oAuthRecord.upsert({
        where: this.key(id),
        create: { model: this.model, id: oauthStoredId(this.model, id), ...data },
        update: data,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const row = await db.prisma.oAuthRecord.findUnique({ where: this.key(id) });
      return this.live(row, id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const row = await db.prisma.oAuthRecord.findFirst({ where: { model: this.model, uid } });
      return this.live(row, row ? ((row.payload as AdapterPayload).jti ?? undefined) : undefined);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const row = await db.prisma.oAuthRecord.findFirst({ where: { model: this.model, userCode } });
      return this.live(row, row ? ((row.payload as AdapterPayload).jti ?? undefined) : undefined);
    }

    async consume(id: string): Promise<void> {
      const row = await db.prisma.oAuthRecord.findUnique({ where: this.key(id) });
      if (!row) return;
      const consumed = Math.floor(Date.now() / 1000);
      await db.prisma.oAuthRecord.update({
        where: this.key(id),
        data: {
          consumedAt: new Date(),
          payload: { ...(row.payload as Record<string, unknown>), consumed } as Prisma.InputJsonValue,
        },
      });
    }

    async destroy(id: string): Promise<void> {
      await db.prisma.oAuthRecord.deleteMany({
        where: { model: this.model, id: oauthStoredId(this.model, id) },
      });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.prisma.oAuthRecord.deleteMany({ where: { model: this.model, grantId } });
    }

    /** The version a grant was first stored with, or the user's current one for a new grant. */
    private async grantCredentialsVersion(id: string, accountId: string): Promise<number> {
      const existing = await db.prisma.oAuthRecord.findUnique({
        where: this.key(id),
        select: { payload: true },
      });
      const kept = (existing?.payload as Record<string, unknown> | undefined)?.[GRANT_CREDENTIALS_VERSION];
      if (typeof kept === 'number') return kept;
      const user = await db.prisma.user.findUnique({
        where: { id: accountId },
        select: { credentialsVersion: true },
      });
      return user?.credentialsVersion ?? 0;
    }

    private live(
      row: { payload: unknown; expiresAt: Date | null } | null,
      id: string | undefined,
    ): AdapterPayload | undefined {
      if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
      const payload = { ...(row.payload as AdapterPayload) };
      if (id !== undefined && payload.jti === undefined && this.model !== 'Client') payload.jti = id;
      return payload;
    }
  };
}
