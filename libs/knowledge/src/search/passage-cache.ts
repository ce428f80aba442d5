import { createHash } from 'node:crypto';
import { chunkMarkdown, type Chunk } from '../chunking';
import type { DocumentStatusName } from '../document.types';

/** What a search hit shows of its document besides the passage (fixed for a version). */
export interface DocumentCard {
  id: string;
  slug: string;
  title: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
  version: number;
  updatedAt: string;
}

/**
 * A document version's passages (chunkMarkdown of its body) and their ids, computed once, and
 * the version's card once a search has read it.
 */
export class CachedPassages {
  private readonly ids: (string | undefined)[] = [];
  /** Every write makes a new version, so a version's card never changes either. */
  card: DocumentCard | null = null;

  constructor(
    readonly documentId: string,
    readonly version: number,
    readonly chunks: Chunk[],
    readonly chars: number,
  ) {}

  /** The passage with this ordinal (the first when the body changed under the index). */
  at(ordinal: number): Chunk {
    return this.chunks[ordinal]?.ordinal === ordinal
      ? this.chunks[ordinal]
      : (this.chunks.find((c) => c.ordinal === ordinal) ?? this.chunks[0]);
  }

  /** The stable id of a passage of `indexedVersion` (see passageId). */
  id(indexedVersion: number, ordinal: number): string {
    if (indexedVersion !== this.version) return passageId(this.documentId, indexedVersion, ordinal);
    return (this.ids[ordinal] ??= passageId(this.documentId, indexedVersion, ordinal));
  }
}

/**
 * Passages of recently returned document versions, least recently used dropped first, bounded by
 * their characters: a search's snippets are cut from passages, and re-chunking every hit's body
 * on every search costs more than ranking does at a few thousand documents. A version's passages
 * never change, so an entry needs no invalidation; a new version is a new key.
 */
export class PassageCache {
  private readonly entries = new Map<string, CachedPassages>();
  private chars = 0;

  constructor(readonly maxChars = 8_000_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached passages of a document version (marked as just used), or undefined. */
  get(documentId: string, version: number): CachedPassages | undefined {
    const key = `${documentId}:${version}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Chunks a body and keeps the result (unless it alone exceeds the bound). */
  put(documentId: string, version: number, body: string): CachedPassages {
    const entry = new CachedPassages(documentId, version, chunkMarkdown(body), body.length);
    if (entry.chars > this.maxChars) return entry;
    const key = `${documentId}:${version}`;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.chars -= old.chars;
    }
    this.entries.set(key, entry);
    this.chars += entry.chars;
    for (const [k, v] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(k);
      this.chars -= v.chars;
    }
    return entry;
  }
}

/** A UUID-shaped id for a passage: the same document version and position give the same id. */
export function passageId(documentId: string, version: number, ordinal: number): string {
  const h = createHash('sha1').update(`${documentId}:${version}:${ordinal}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
