import { Injectable } from '@nestjs/common';
import { clampLimit, decodeCursor, toPage, type Page } from '@app/core';
import { DatabaseService, Prisma } from '@app/database';
import type { AuditDto, AuditQuery } from './audit.schema';

const isIdCursor = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Reads the audit log, newest first. */
@Injectable()
export class AuditLogService {
  constructor(private readonly db: DatabaseService) {}

  async list(q: AuditQuery): Promise<Page<AuditDto>> {
    const limit = clampLimit(q.limit);
    const before = decodeCursor(q.cursor, isIdCursor);
    const where: Prisma.AuditLogWhereInput = {
      ...(q.actorId ? { actorId: q.actorId } : {}),
      ...(q.action
        ? { action: q.action.endsWith('*') ? { startsWith: q.action.slice(0, -1) } : q.action }
        : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.channel ? { channel: q.channel } : {}),
      ...(q.targetType ? { targetType: q.targetType } : {}),
      ...(q.targetId ? { targetId: q.targetId } : {}),
      ...(before ? { id: { lt: BigInt(before) } } : {}),
    };
    const rows = await this.db.prisma.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: limit + 1 });
    return toPage(
      rows,
      limit,
      (r) => ({
        id: Number(r.id),
        actorType: r.actorType,
        actorId: r.actorId,
        actorLabel: r.actorLabel,
        channel: r.channel,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        outcome: r.outcome,
        detail: r.detail,
        argsHash: r.argsHash,
        durationMs: r.durationMs,
        createdAt: r.createdAt.toISOString(),
      }),
      (r) => Number(r.id),
    );
  }
}
