import { Injectable } from '@nestjs/common';
import { DomainError, ROLE_SCOPES, systemPrincipal, type Principal } from '@app/core';
import { DatabaseService, type Tx } from '@app/database';
import {
  JobHandlerRegistry,
  JobInterruptedError,
  type ImportDocument,
  type ImportResult,
  type JobContext,
  type JobHandler,
} from '@app/jobs';
import type { DocumentDto } from '../document.types';
import { DocumentsService } from '../documents.service';

/**
 * Documents per transaction: set-based inserts make a bigger batch cheaper per document, but
 * embedded PGlite runs a statement on the event loop, so a batch stays short enough not to
 * stall other requests (500 documents: ~0.15 s of statements on PGlite, about what storing a
 * 2,000-document import's payload at enqueue takes). A failed batch is retried one by one.
 */
const BATCH = 500;

/**
 * Where to continue and what was counted so far. Saved in the transaction of every write
 * (createMany of a batch, each one-by-one create or update), so it always counts exactly the
 * work that committed: a resumed import reports a document created before the crash as
 * `created`, not as `unchanged`.
 */
interface ImportCheckpoint {
  /** The first document of the batch in progress. */
  next: number;
  result: ImportResult;
  /** Indexes (into the payload's documents) of the batch in progress already handled. */
  handled?: number[];
}

type Outcome = 'created' | 'updated' | 'unchanged';

/**
 * Imports documents, upserting by slug through DocumentsService (versions, index, events and
 * audit as for any write). New documents go in batches through createMany; a batch that fails
 * is retried one by one so each failure is attributed to its item. Re-running the job (a
 * retry) converges: existing slugs are updated, unchanged documents are left alone.
 */
@Injectable()
export class ImportHandler implements JobHandler<'imports'> {
  readonly queue = 'imports' as const;

  constructor(
    private readonly documents: DocumentsService,
    private readonly db: DatabaseService,
    registry: JobHandlerRegistry,
  ) {
    registry.register(this);
  }

  async handle(ctx: JobContext<'imports'>): Promise<ImportResult> {
    const { documents, rejected } = ctx.payload;
    const actor = await this.actor(ctx.payload.actorUserId);
    // After a crash or a retry, continue where the last checkpoint was, with its counts.
    const resumed = ctx.checkpoint as ImportCheckpoint | null;
    const result: ImportResult = resumed?.result ?? {
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: rejected.length,
      failures: [...rejected],
    };
    const total = Math.max(1, documents.length);
    let done = resumed?.next ?? 0;
    let reported = 0;
    const report = async () => {
      const pct = Math.floor((done / total) * 99);
      if (pct > reported) {
        reported = pct;
        await ctx.progress(pct);
      }
    };

    // Indexing of created batches, overlapped with the next batch's transaction (with Postgres
    // the process would otherwise wait idle for the database); awaited before the job completes,
    // so an import is searchable as soon as it reports completion.
    const indexing: Promise<void>[] = [];
    for (let i = done; i < documents.length; i += BATCH) {
      const handled = new Set(resumed?.next === i ? (resumed.handled ?? []) : []);
      // The checkpoint a write of these items saves in its own transaction, counted as `outcome`.
      const saveWith =
        (items: number[], outcome: Outcome) =>
        (tx: Tx): Promise<void> =>
          ctx.saveCheckpoint(
            {
              next: i,
              result: { ...result, [outcome]: result[outcome] + items.length },
              handled: [...handled, ...items],
            } satisfies ImportCheckpoint,
            tx,
          );
      const counted = (items: number[], outcome: Outcome) => {
        result[outcome] += items.length;
        items.forEach((k) => handled.add(k));
      };
      const batch = range(i, Math.min(i + BATCH, documents.length)).filter((k) => !handled.has(k));
      const existing = await this.existingSlugs(batch.map((k) => documents[k]));
      const isKnown = (k: number) => {
        const slug = documents[k].slug;
        return typeof slug === 'string' && existing.has(slug);
      };
      let fresh = batch.filter((k) => !isKnown(k));
      const known = batch.filter(isKnown);
      if (fresh.length > 1 && new Set(fresh.map((k) => documents[k].slug)).size === fresh.length) {
        let indexed: Promise<void> | null = null;
        try {
          ({ indexed } = await this.documents.createManyIndexing(
            fresh.map((k) => clean(documents[k])),
            actor,
            { within: saveWith(fresh, 'created') },
          ));
          counted(fresh, 'created');
          fresh = [];
        } catch {
          /* attributed one by one below */
        }
        if (indexed) {
          // At most one batch's indexing in flight.
          await indexing.pop();
          indexing.push(indexed);
        }
      }
      for (const k of [...fresh, ...known]) {
        const d = documents[k];
        try {
          counted([k], await this.upsert(d, actor, (outcome) => saveWith([k], outcome)));
        } catch (e) {
          result.failed++;
          result.failures.push({ item: itemName(d, k), reason: reason(e) });
          handled.add(k);
        }
      }
      done = i + BATCH > documents.length ? documents.length : i + BATCH;
      // Failures and unchanged documents wrote nothing: a crash before this re-derives them.
      await ctx.saveCheckpoint({ next: done, result } satisfies ImportCheckpoint);
      await report();
      // Shutting down: stop here; the next attempt continues from this checkpoint.
      if (ctx.signal?.aborted && done < documents.length) {
        await indexing.pop();
        throw new JobInterruptedError(
          `stopped after ${done} of ${documents.length} documents: shutting down`,
        );
      }
    }
    await indexing.pop();
    return result;
  }

  /** `checkpoint(outcome)` runs in the transaction of the write that has that outcome. */
  private async upsert(
    d: ImportDocument,
    actor: Principal,
    checkpoint: (outcome: Outcome) => (tx: Tx) => Promise<void>,
  ): Promise<Outcome> {
    let current: DocumentDto | null = null;
    if (typeof d.slug === 'string') current = await this.documents.getBySlug(d.slug).catch(() => null);
    if (!current) {
      await this.documents.create(clean(d), actor, { within: checkpoint('created') });
      return 'created';
    }
    const next = clean(d);
    const same =
      current.title === next.title.trim() &&
      current.body === next.body &&
      (next.tags === undefined ||
        JSON.stringify(current.tags) === JSON.stringify(next.tags.map((t) => t.trim().toLowerCase()))) &&
      (next.collection === undefined || current.collection === (next.collection?.trim() || null)) &&
      (next.status === undefined || current.status === next.status);
    if (same) return 'unchanged';
    const { slug: _slug, ...changes } = next;
    await this.documents.update(current.id, changes, actor, { within: checkpoint('updated') });
    return 'updated';
  }

  private async existingSlugs(batch: ImportDocument[]): Promise<Set<string>> {
    const slugs = batch.map((d) => d.slug).filter((s): s is string => typeof s === 'string');
    const rows = await this.db.driver.query<{ slug: string }>(
      `SELECT slug FROM document WHERE slug = ANY($1::text[])`,
      [slugs],
    );
    return new Set(rows.map((r) => r.slug));
  }

  /** Writes are attributed to the user who started the import. */
  private async actor(userId: string | null): Promise<Principal> {
    const user = userId ? await this.db.prisma.user.findUnique({ where: { id: userId } }) : null;
    if (!user) return systemPrincipal('job', 'import');
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      scopes: ROLE_SCOPES[user.role],
      channel: 'job',
    };
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const clean = (d: ImportDocument): ImportDocument => {
  const out: ImportDocument = { slug: d.slug, title: d.title, body: d.body };
  if (d.tags !== undefined) out.tags = d.tags;
  if (d.collection !== undefined) out.collection = d.collection;
  if (d.status !== undefined) out.status = d.status;
  return out;
};

const itemName = (d: ImportDocument, i: number): string =>
  typeof d.slug === 'string' && d.slug ? d.slug : `#${i + 1}`;

function reason(e: unknown): string {
  if (e instanceof DomainError) {
    const fields = (e as DomainError & { errors?: { field: string; message: string }[] }).errors;
    if (fields?.length) return fields.map((f) => `${f.field} ${f.message}`).join('; ');
  }
  return (e as Error).message ?? String(e);
}
