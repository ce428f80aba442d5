import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseService } from '@app/database';
import { auditInsert, writeAudit, type AuditEntry } from '@app/observability';

/** Read-only tool calls are written at most this long after they finished... */
export const AUDIT_FLUSH_MS = 250;
/** ...or as soon as this many are waiting (one multi-row INSERT either way). */
export const AUDIT_BATCH = 200;
/** Beyond this many waiting rows (database down), new read-only rows are counted and dropped. */
const AUDIT_MAX_PENDING = 10_000;

/**
 * The MCP audit trail. Calls of tools that change data are written before the result is
 * returned, each in its own INSERT. Calls of read-only tools are written off the response path,
 * in batches: a crash (kill -9) loses at most the read-only rows of the last AUDIT_FLUSH_MS
 * (and at most AUDIT_BATCH of them); a clean shutdown flushes everything.
 */
@Injectable()
export class McpAudit implements OnApplicationShutdown {
  private readonly logger = new Logger('McpAudit');
  private pending: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(private readonly db: DatabaseService) {}

  /** Records one entry; `deferred` rows go into the next batch, the others are written now. */
  record(entry: AuditEntry, deferred: boolean): void | Promise<void> {
    if (!deferred) {
      return writeAudit(this.db.prisma, entry).catch((e: Error) =>
        this.logger.error(`audit write failed: ${e.message}`),
      );
    }
    if (this.pending.length >= AUDIT_MAX_PENDING) {
      if (this.dropped++ % 1000 === 0) this.logger.error('audit backlog full: dropping read-only audit rows');
      return;
    }
    this.pending.push(entry);
    if (this.pending.length >= AUDIT_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), AUDIT_FLUSH_MS);
  }

  /** Writes everything waiting (tests call it before reading the audit log). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, AUDIT_BATCH);
    // One set-based INSERT (unnest of column arrays): cheaper to build and plan than a
    // 200-row VALUES list.
    const { sql, params } = auditInsert(batch);
    this.flushing = this.db.driver
      .query(sql, params)
      .then(() => undefined)
      .catch((e: Error) => {
        this.logger.error(`audit batch of ${batch.length} failed: ${e.message}`);
        if (this.pending.length + batch.length <= AUDIT_MAX_PENDING) this.pending.unshift(...batch);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
    if (this.pending.length) this.timer ??= setTimeout(() => void this.flush(), AUDIT_FLUSH_MS);
  }

  /** Read-only rows waiting for their batch (and rows dropped since start because the backlog was full). */
  get backlog(): { pending: number; dropped: number } {
    return { pending: this.pending.length, dropped: this.dropped };
  }

  async onApplicationShutdown(): Promise<void> {
    for (let i = 0; i < 100 && this.pending.length; i++) await this.flush();
    if (this.timer) clearTimeout(this.timer);
  }
}
