import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService } from '@app/database';
import { EventBus } from '@app/events';
import type { DocumentDto, DocumentStatusName } from './document.types';
import { DOCUMENT_EVENTS, DOCUMENTS_TOPIC } from './events';
import { SearchIndex, type IndexedDocument } from './search/search-index';
import { readSnapshotFile, writeSnapshotFile } from './search/snapshot-file';

/** Below this many documents a rebuild takes well under a second: no snapshot is written. */
export const SNAPSHOT_MIN_DOCUMENTS = 2000;
/** A snapshot is rewritten at most this often while documents change. */
export const SNAPSHOT_INTERVAL_MS = 60_000;
/** Documents read per query while rebuilding. */
const REBUILD_BATCH = 2000;
/** Documents indexed between yields to the event loop when a bulk write is applied. */
const APPLY_STEP = 50;
/** Outbox events read per query while catching up. */
const DRAIN_BATCH = 500;
/** Safety poll of the outbox (the event bus normally wakes the index at once). */
const POLL_MS = 1000;

interface SnapshotMeta {
  kind: 'context-desk-search-index';
  epoch: string;
  /** Outbox id up to which the snapshot is complete. */
  eventId: number;
  /** created_at (ms) of that outbox row: proves the snapshot belongs to this database's history. */
  eventAt: number;
}

interface EventRow {
  id: string | number;
  event: string;
  entity_id: string;
  version?: number | null;
  /** Absent when the index already holds this version (or a newer one). */
  payload?: unknown;
}

export interface SearchIndexStatus {
  state: 'idle' | 'loading' | 'ready' | 'failed';
  documents: number;
  passages: number;
  terms: number;
  /** Outbox id the index has applied up to. */
  eventId: number;
  memoryBytes: number;
  /** How the last load went: from a snapshot (plus the outbox since) or a full rebuild. */
  loadedFrom: 'snapshot' | 'rebuild' | null;
  loadMs: number | null;
}

/**
 * Owns the in-process search index (SearchIndex), derived from Postgres, the source of truth:
 *
 * - Load: from the snapshot in DATA_DIR when it matches this database (its epoch, and the
 *   outbox row it was taken at), then the outbox events after it; otherwise a full rebuild
 *   from the document table. A count check after catching up catches any drift (→ rebuild).
 * - Freshness: the writing process applies its own change right after the commit, before the
 *   write returns (read-your-writes); every instance then applies the outbox events in id order
 *   (woken by the event bus, which fans out commits across instances; a 1 s poll as a
 *   fallback). Applying is idempotent and monotonic by document version; deletions are
 *   remembered, so a late, older write never brings a document back.
 * - Snapshots: written (atomically, in the background) after a rebuild, at most once a minute
 *   while documents change, and at shutdown, once the corpus is large enough to be worth it.
 *
 * Loading is lazy (the first search or an explicit warm()), so processes that never search
 * (the worker, the CLI) never hold an index; their writes reach the servers through the outbox.
 */
@Injectable()
export class SearchIndexer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SearchIndex');
  private index = new SearchIndex();
  private loading: Promise<void> | null = null;
  private state: SearchIndexStatus['state'] = 'idle';
  private eventId = 0;
  private epoch: string | null = null;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private changesSinceSnapshot = 0;
  private lastSnapshotAt = 0;
  private snapshotting: Promise<void> | null = null;
  private loadedFrom: SearchIndexStatus['loadedFrom'] = null;
  private loadMs: number | null = null;
  /** Document id → version that applyDocuments is applying now. */
  private readonly applying = new Map<string, number>();
  /** Lower for tests: the document count from which snapshots are written. */
  snapshotMinDocuments = SNAPSHOT_MIN_DOCUMENTS;

  constructor(
    private readonly db: DatabaseService,
    @Optional() private readonly bus?: EventBus,
    @Optional() private readonly config?: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe =
      this.bus?.subscribe((e) => {
        if (e.topic === DOCUMENTS_TOPIC && e.id > this.eventId && this.state === 'ready') this.kick();
      }) ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.loading?.catch(() => undefined);
    await this.draining?.catch(() => undefined);
    await this.snapshotting?.catch(() => undefined);
    if (this.state === 'ready' && this.changesSinceSnapshot > 0 && this.worthSnapshot())
      await this.writeSnapshot();
  }

  /** Starts loading the index (if not yet) and resolves when it can answer searches. */
  warm(): Promise<void> {
    if (!this.loading) {
      this.state = 'loading';
      this.loading = this.loadWithRetry();
    }
    return this.loading;
  }

  /** The index, loaded and current with every write this process made. */
  async current(): Promise<SearchIndex> {
    await this.warm();
    return this.index;
  }

  status(): SearchIndexStatus {
    return {
      state: this.state,
      documents: this.index.documentCount,
      passages: this.index.passageCount,
      terms: this.index.termCount,
      eventId: this.eventId,
      memoryBytes: this.index.memoryBytes(),
      loadedFrom: this.loadedFrom,
      loadMs: this.loadMs,
    };
  }

  /**
   * Applies committed documents (the writer's read-your-writes path). While it runs, the outbox
   * drain leaves these versions to it instead of reading their payloads back from the database.
   */
  async applyDocuments(docs: readonly IndexedDocument[]): Promise<void> {
    if (!this.loading) return;
    for (const d of docs) if ((this.applying.get(d.id) ?? 0) < d.version) this.applying.set(d.id, d.version);
    try {
      await this.loading;
      for (let i = 0; i < docs.length; i++) {
        // A bulk write is indexed in steps, letting other requests in between.
        if (i > 0 && i % APPLY_STEP === 0) await new Promise((r) => setImmediate(r));
        if (this.index.upsert(docs[i])) this.changesSinceSnapshot++;
      }
    } finally {
      for (const d of docs) {
        if (this.applying.get(d.id) === d.version) this.applying.delete(d.id);
        // Not applied (a failure above): the database has it, as the drain would have read it.
        if (this.index.versionOf(d.id) < d.version && !this.index.isDeleted(d.id))
          void this.refreshDocument(d.id).catch(() => undefined);
      }
    }
  }

  /** Applies a committed deletion (the writer's read-your-writes path). */
  async applyDeletion(id: string): Promise<void> {
    if (!this.loading) return;
    await this.loading;
    if (this.index.remove(id)) this.changesSinceSnapshot++;
  }

  /** Re-reads one document from the database into the index (when this process holds one); 1 if it changed. */
  async refreshDocument(id: string): Promise<number> {
    if (!this.loading) return 0;
    await this.loading;
    const [row] = await this.db.driver.query<IndexedDocument>(
      `SELECT id::text AS id, version, title, body, tags, collection, status::text AS status
         FROM document WHERE id = $1::uuid`,
      [id],
    );
    const changed = row ? this.index.upsert(row) : this.index.remove(id);
    return changed ? 1 : 0;
  }

  /** Reads the outbox now (normally woken by the event bus). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.drainAgain && !this.stopped) {
        this.drainAgain = false;
        void this.kick();
      }
    });
    return this.draining;
  }

  /** Rebuilds the index from the document table (also what a stale or missing snapshot triggers). */
  async rebuild(): Promise<void> {
    const started = Date.now();
    const [{ max }] = await this.db.driver.query<{ max: string | null }>(
      `SELECT max(id)::text AS max FROM event`,
    );
    const fresh = new SearchIndex();
    fresh.params = this.index.params;
    let after = '00000000-0000-0000-0000-000000000000';
    fresh.beginBulk();
    for (;;) {
      const rows = await this.db.driver.query<IndexedDocument>(
        `SELECT id::text AS id, version, title, body, tags, collection, status::text AS status
           FROM document WHERE id > $1::uuid ORDER BY id LIMIT ${REBUILD_BATCH}`,
        [after],
      );
      for (const r of rows) fresh.upsert(r);
      if (rows.length < REBUILD_BATCH) break;
      after = rows[rows.length - 1].id;
    }
    fresh.endBulk();
    // Deletions this process already applied stay deleted (the outbox replay below re-checks).
    this.index = fresh;
    this.eventId = Number(max ?? 0);
    await this.drain();
    this.loadedFrom = 'rebuild';
    this.logger.log(
      `search index rebuilt: ${fresh.documentCount} documents, ${fresh.passageCount} passages in ${Date.now() - started} ms`,
    );
    this.changesSinceSnapshot = fresh.documentCount;
    this.maybeSnapshot(true);
  }

  // ---- loading ----

  private async loadWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.load();
        return;
      } catch (e) {
        if (this.stopped) throw e;
        this.logger.warn(`search index not loaded (attempt ${attempt}): ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
      }
    }
  }

  private async load(): Promise<void> {
    const started = Date.now();
    this.epoch = await this.readEpoch();
    const loaded = await this.loadSnapshot();
    if (loaded) {
      await this.drain();
      const [{ n }] = await this.db.driver.query<{ n: number }>(`SELECT count(*)::int AS n FROM document`);
      if (n !== this.index.documentCount) {
        this.logger.warn(
          `search index snapshot is stale (${this.index.documentCount} vs ${n} documents): rebuilding`,
        );
        await this.rebuild();
      } else {
        this.loadedFrom = 'snapshot';
        this.logger.log(`search index loaded: ${n} documents from the snapshot and the outbox`);
      }
    } else {
      await this.rebuild();
    }
    this.loadMs = Date.now() - started;
    this.state = 'ready';
    this.schedulePoll();
  }

  private async readEpoch(): Promise<string> {
    const [row] = await this.db.driver.query<{ epoch: string }>(
      `SELECT epoch::text AS epoch FROM search_index_state WHERE id = 1`,
    );
    return row?.epoch ?? 'none';
  }

  private snapshotPath(): string | null {
    const dir = this.config?.dataDir;
    return dir && this.epoch ? join(dir, 'search-index', `${this.epoch}.idx`) : null;
  }

  private async loadSnapshot(): Promise<boolean> {
    const path = this.snapshotPath();
    if (!path) return false;
    let file: { meta: SnapshotMeta; state: Parameters<typeof SearchIndex.fromState>[0] } | null;
    try {
      file = await readSnapshotFile<SnapshotMeta>(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn(`search index snapshot unreadable: ${(e as Error).message}`);
      return false;
    }
    const meta = file?.meta;
    if (!file || meta?.kind !== 'context-desk-search-index' || meta.epoch !== this.epoch) return false;
    if (meta.eventId > 0) {
      const [row] = await this.db.driver.query<{ at: string }>(
        `SELECT (extract(epoch FROM created_at) * 1000)::bigint::text AS at FROM event WHERE id = $1`,
        [meta.eventId],
      );
      if (!row || Number(row.at) !== meta.eventAt) {
        this.logger.warn('search index snapshot does not match the outbox: rebuilding');
        return false;
      }
    }
    const index = SearchIndex.fromState(file.state);
    if (!index) return false;
    index.params = this.index.params;
    this.index = index;
    this.eventId = meta.eventId;
    return true;
  }

  // ---- outbox ----

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.kick().finally(() => this.schedulePoll());
      },
      Math.max(POLL_MS, this.config?.eventPollMs ?? 0),
    );
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        // Versions first: the payloads (whole documents) of changes this index already holds,
        // such as this process's own writes, are not read again.
        const rows = await this.db.driver.query<EventRow>(
          `SELECT id, event, entity_id, (payload->>'version')::int AS version FROM event
            WHERE id > $1 AND topic = $2 ORDER BY id LIMIT ${DRAIN_BATCH}`,
          [this.eventId, DOCUMENTS_TOPIC],
        );
        const wanted = rows.filter(
          (r) =>
            r.event !== DOCUMENT_EVENTS.deleted &&
            !this.index.isDeleted(r.entity_id) &&
            (r.version ?? 0) >
              Math.max(this.index.versionOf(r.entity_id), this.applying.get(r.entity_id) ?? 0),
        );
        const payloads = new Map<string, unknown>();
        if (wanted.length) {
          const full = await this.db.driver.query<{ id: string | number; payload: unknown }>(
            `SELECT id, payload FROM event WHERE id = ANY($1::bigint[])`,
            [wanted.map((r) => String(r.id))],
          );
          for (const f of full) payloads.set(String(f.id), f.payload);
        }
        for (const r of rows) {
          this.applyEvent({ ...r, payload: payloads.get(String(r.id)) });
          this.eventId = Number(r.id);
        }
        if (rows.length < DRAIN_BATCH) break;
      }
      this.maybeSnapshot(false);
    } catch (e) {
      if (this.state !== 'ready') throw e;
      this.logger.warn(`search index: outbox read failed: ${(e as Error).message}`);
    }
  }

  private applyEvent(r: EventRow): void {
    if (r.event === DOCUMENT_EVENTS.deleted) {
      if (this.index.remove(r.entity_id)) this.changesSinceSnapshot++;
      return;
    }
    if (r.payload === undefined) return;
    const dto = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Partial<DocumentDto>;
    if (typeof dto?.body !== 'string' || typeof dto.version !== 'number') return;
    const doc: IndexedDocument = {
      id: r.entity_id,
      version: dto.version,
      title: dto.title ?? '',
      body: dto.body,
      tags: dto.tags ?? [],
      collection: dto.collection ?? null,
      status: (dto.status ?? 'draft') as DocumentStatusName,
    };
    if (this.index.upsert(doc)) this.changesSinceSnapshot++;
  }

  // ---- snapshots ----

  private maybeSnapshot(force: boolean): void {
    if (this.snapshotting || !this.changesSinceSnapshot || !this.snapshotPath()) return;
    if (!this.worthSnapshot()) return;
    if (!force && Date.now() - this.lastSnapshotAt < SNAPSHOT_INTERVAL_MS) return;
    this.snapshotting = this.writeSnapshot().finally(() => (this.snapshotting = null));
  }

  private worthSnapshot(): boolean {
    return this.index.documentCount >= this.snapshotMinDocuments;
  }

  /**
   * Writes the index and the outbox id it is complete up to (temp file + rename: never half a
   * file). The state is taken synchronously in milliseconds; encoding and writing it yield to
   * the event loop (searches and writes go on meanwhile).
   */
  async writeSnapshot(): Promise<void> {
    const path = this.snapshotPath();
    // Documents being applied may already lie behind `eventId` (the drain left them to
    // applyDocuments): not a state to save; the next drain tries again.
    if (!path || this.applying.size) return;
    try {
      // Taken synchronously, so it is exactly the state after outbox event `eventId` (plus, at
      // most, newer local writes, which replaying the outbox re-applies idempotently).
      const eventId = this.eventId;
      const changes = this.changesSinceSnapshot;
      const state = this.index.state();
      const [row] = eventId
        ? await this.db.driver.query<{ at: string }>(
            `SELECT (extract(epoch FROM created_at) * 1000)::bigint::text AS at FROM event WHERE id = $1`,
            [eventId],
          )
        : [{ at: '0' }];
      const meta: SnapshotMeta = {
        kind: 'context-desk-search-index',
        epoch: this.epoch ?? 'none',
        eventId,
        eventAt: Number(row?.at ?? 0),
      };
      await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
      await writeSnapshotFile(path, meta, state);
      this.changesSinceSnapshot = Math.max(0, this.changesSinceSnapshot - changes);
      this.lastSnapshotAt = Date.now();
    } catch (e) {
      this.logger.warn(`search index snapshot not written: ${(e as Error).message}`);
    }
  }
}
