import { Injectable } from '@nestjs/common';
import { REVOCATION_EVENTS, grantCredentialsVersion } from '@app/auth';
import { NotFoundError, isScope, type Principal, type Scope } from '@app/core';
import { DatabaseService } from '@app/database';
import { appendEvent } from '@app/events';
import { writeAudit } from '@app/observability';

export interface ConnectedApp {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  /** Scopes the user granted (over all of the user's grants to this app). */
  scopes: Scope[];
  connectedAt: string;
  /** When the latest grant lapses unless renewed by signing in again. */
  expiresAt: string | null;
}

interface GrantPayload {
  resources?: Record<string, string>;
}
interface ClientPayload {
  client_name?: string;
  client_uri?: string;
}

/** A user's OAuth grants to applications ("connected apps"): listing and revocation. */
@Injectable()
export class ConnectedAppsService {
  constructor(private readonly db: DatabaseService) {}

  async list(userId: string): Promise<ConnectedApp[]> {
    const user = await this.db.prisma.user.findUnique({
      where: { id: userId },
      select: { credentialsVersion: true },
    });
    // Grants given before the user's last password or role change no longer work: not listed.
    const grants = (
      await this.db.prisma.oAuthRecord.findMany({
        where: {
          model: 'Grant',
          accountId: userId,
          OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
        },
        orderBy: { createdAt: 'asc' },
      })
    ).filter((g) => grantCredentialsVersion(g.payload) === (user?.credentialsVersion ?? 0));
    const clientIds = [...new Set(grants.map((g) => g.clientId).filter((c): c is string => !!c))];
    const clients = await this.db.prisma.oAuthRecord.findMany({
      where: { model: 'Client', id: { in: clientIds } },
    });
    const byId = new Map(clients.map((c) => [c.id, c.payload as ClientPayload]));
    return clientIds.map((clientId) => {
      const mine = grants.filter((g) => g.clientId === clientId);
      const scopes = new Set<Scope>();
      for (const g of mine) {
        for (const s of Object.values((g.payload as GrantPayload).resources ?? {})
          .join(' ')
          .split(' ')) {
          if (isScope(s)) scopes.add(s);
        }
      }
      const last = mine[mine.length - 1];
      const meta = byId.get(clientId);
      return {
        clientId,
        clientName: meta?.client_name ?? clientId,
        clientUri: meta?.client_uri ?? null,
        scopes: [...scopes],
        connectedAt: mine[0].createdAt.toISOString(),
        expiresAt: last.expiresAt?.toISOString() ?? null,
      };
    });
  }

  /**
   * Revokes every grant the user gave the app, with their codes, access and refresh tokens, in one
   * transaction: the app's next request with any of its tokens is refused, and the outbox event
   * makes every instance re-check the user's open MCP sessions and streams (closing the app's).
   */
  async revoke(principal: Principal, userId: string, clientId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const grants = await tx.oAuthRecord.findMany({
        where: { model: 'Grant', accountId: userId, clientId },
        select: { id: true },
      });
      if (!grants.length) throw new NotFoundError('connected app', clientId);
      const ids = grants.map((g) => g.id);
      await tx.oAuthRecord.deleteMany({ where: { grantId: { in: ids } } });
      await tx.oAuthRecord.deleteMany({ where: { model: 'Grant', id: { in: ids } } });
      await appendEvent(tx, {
        topic: 'users',
        event: REVOCATION_EVENTS.oauthAppRevoked,
        entityId: userId,
        data: { userId, clientId, grants: ids.length },
        actor: principal,
      });
      await writeAudit(tx, {
        actor: principal,
        action: 'oauth.revoke',
        targetType: 'oauth_client',
        targetId: clientId,
        outcome: 'success',
        detail: `revoked ${ids.length} grant(s) of user ${userId}`,
      });
    });
  }
}
