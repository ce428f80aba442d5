import { chunkMarkdown } from '../chunking';
import { DOCUMENT_STATUSES, type DocumentStatusName } from '../document.types';
import { TermIdTable } from './tokenizer';

/** What the index needs of a document (a DocumentDto has all of it). */
export interface IndexedDocument {
  id: string;
  version: number;
  title: string;
  body: string;
  tags: string[];
  collection: string | null;
  status: DocumentStatusName;
}

/** BM25 parameters (Lucene idf); tuned on SciFact with bench/retrieval.ts. */
export interface Bm25Params {
  k1: number;
  b: number;
}
export const BM25_DEFAULTS: Bm25Params = { k1: 1.2, b: 0.75 };

/**
 * Weight of a title occurrence relative to a body occurrence in a passage's term frequency
 * (tuned on SciFact; see bench/retrieval.ts). The title counts in every passage of its document.
 */
export const TITLE_WEIGHT = 2.5;
// Term frequencies are stored doubled, as integers: a title word adds 5, a body word 2.
const TITLE_TF2 = TITLE_WEIGHT * 2;
const BODY_TF2 = 2;
const MAX_TF2 = 65535;

export interface QueryTerm {
  term: string;
  /** 1 for the query's own words; less for prefix and typo expansions. */
  weight: number;
}

export interface IndexQuery {
  terms: QueryTerm[];
  /** Each a sequence of index terms that a passage must contain, adjacent and in order. */
  phrases: string[][];
  /** A document with any of these terms in any passage is dropped. */
  excludedTerms: string[];
  /** A document with any of these phrases in any passage is dropped. */
  excludedPhrases: string[][];
  status?: DocumentStatusName;
  collection?: string;
  /** The document must carry every one of these (already lower-cased). */
  tags?: string[];
  /** How many documents to return from the top (offset + limit + 1 for a page). */
  k: number;
  /** BM25 parameters; the index's own when omitted. */
  params?: Bm25Params;
}

export interface IndexHit {
  documentId: string;
  version: number;
  /** Ordinal of the best-scoring passage (chunkMarkdown order). */
  ordinal: number;
  score: number;
}

/** The plain data of an index, for a snapshot (see fromSnapshot). */
export interface IndexSnapshot {
  format: number;
  vocabulary: string[];
  docIds: string[];
  docVersion: Int32Array;
  docStatus: Uint8Array;
  docCollection: (string | null)[];
  docTags: string[][];
  docFirstChunk: Int32Array;
  docChunkCount: Int32Array;
  chunkOrd: Uint16Array;
  chunkTitleLen: Int32Array;
  chunkTokLen: Int32Array;
  tokens: Int32Array;
  deleted: string[];
}
const SNAPSHOT_FORMAT = 1;

/**
 * The whole state of an index as it stands (dead passages and free slots included), for a
 * snapshot file: taken in a few milliseconds (copies of what changes in place, views of what is
 * only ever appended to), restored without recomputing postings. See state() / fromState().
 */
export interface IndexState {
  format: number;
  strings: {
    vocabulary: string[];
    docIds: string[];
    docCollection: (string | null)[];
    docTags: string[][];
    deleted: string[];
  };
  /** Per term, in vocabulary order: its postings are the next postCount[t] entries of postChunk/postTf. */
  postings: { chunk: Int32Array[]; tf: Uint16Array[] };
  arrays: {
    postCount: Int32Array<ArrayBuffer>;
    df: Int32Array<ArrayBuffer>;
    maxTf2: Int32Array<ArrayBuffer>;
    minLen: Float32Array<ArrayBuffer>;
    docVersion: Int32Array<ArrayBuffer>;
    docStatus: Uint8Array<ArrayBuffer>;
    docFirstChunk: Int32Array<ArrayBuffer>;
    docChunkCount: Int32Array<ArrayBuffer>;
    chunkDoc: Int32Array<ArrayBuffer>;
    chunkOrd: Uint16Array<ArrayBuffer>;
    chunkLen: Float32Array<ArrayBuffer>;
    chunkTitleLen: Int32Array<ArrayBuffer>;
    chunkTokStart: Int32Array<ArrayBuffer>;
    chunkTokLen: Int32Array<ArrayBuffer>;
    tokens: Int32Array<ArrayBuffer>;
  };
  scalars: { nDocSlots: number; liveDocs: number; nChunks: number; liveChunks: number; totalLen: number };
}
export const STATE_FORMAT = 2;

type Typed = Int32Array | Uint16Array | Uint8Array | Float32Array | Float64Array;
function grow<T extends Typed>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.max(16, a.length * 2);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

const STATUS_CODE: Record<DocumentStatusName, number> = { draft: 0, published: 1, archived: 2 };

/**
 * An in-memory inverted index over document passages, derived from Postgres (the source of
 * truth) and kept current by SearchIndexer. BM25 per passage (title weighted), a document
 * scored by its best passage.
 *
 * Layout (typed arrays, no object per posting):
 * - documents live in slots (id, version, status, collection, tags, their passages' range);
 * - passages (chunks) live in slots that are never reused until compaction: document slot,
 *   ordinal, length, and the passage's term ids in order (title words, then body words) in one
 *   shared `tokens` array — the forward index used for phrases and for removals;
 * - each term has its postings: passage slots and doubled term frequencies, in insertion order.
 *
 * Removing a document marks its passages dead (postings are skipped at query time) and adjusts
 * document frequencies and corpus totals at once; compaction rebuilds everything from the
 * forward index when dead passages outnumber live ones.
 *
 * Query evaluation is exhaustive term-at-a-time into a dense score array (no pruning, so the
 * ranking is exactly BM25 over all postings), then each document's best passage, then a bounded
 * heap for the top k documents after filters.
 */
export class SearchIndex {
  params: Bm25Params = { ...BM25_DEFAULTS };

  // vocabulary
  private readonly termIds = new Map<string, number>();
  /** Words of indexed text to their term ids (indexing's tokenizer). */
  private readonly words = new TermIdTable((term) => this.termId(term));
  private termStr: string[] = [];
  private postChunk: Int32Array<ArrayBufferLike>[] = [];
  private postTf: Uint16Array<ArrayBufferLike>[] = [];
  private postCount: number[] = [];
  private df: number[] = [];
  /** Per term: the largest doubled tf and the shortest passage among its postings (score bounds). */
  private maxTf2: number[] = [];
  private minLen: number[] = [];
  private sortedTerms: string[] = [];
  private recentTerms: string[] = [];

  // documents
  private readonly docSlots = new Map<string, number>();
  private docIds: string[] = [];
  private docVersion = new Int32Array(16);
  private docStatus = new Uint8Array(16);
  private docCollection: (string | null)[] = [];
  private docTags: string[][] = [];
  private docFirstChunk = new Int32Array(16);
  private docChunkCount = new Int32Array(16);
  private freeDocs: number[] = [];
  private nDocSlots = 0;
  private liveDocs = 0;
  /** Ids of deleted documents: a late, older write of one of them must not bring it back. */
  private readonly deleted = new Set<string>();

  // passages
  private chunkDoc = new Int32Array(16);
  private chunkOrd = new Uint16Array(16);
  private chunkLen = new Float32Array(16);
  private chunkTitleLen = new Int32Array(16);
  private chunkTokStart = new Int32Array(16);
  private chunkTokLen = new Int32Array(16);
  private nChunks = 0;
  private liveChunks = 0;
  private totalLen = 0;
  private tokens = new Int32Array(1024);
  private nTokens = 0;

  // query scratch space
  private acc = new Float64Array(16);
  private touched = new Int32Array(16);
  private best = new Float64Array(16);
  private bestChunk = new Int32Array(16);
  private touchedDocs = new Int32Array(16);
  private docMark = new Int32Array(16);
  private chunkMark = new Int32Array(16);
  private chunkMatches = new Int32Array(16);
  private stamp = 0;
  private termMark = new Int32Array(16);
  private termTf = new Int32Array(16);
  private termStamp = 0;
  private deferPostings = false;
  /** Passage slots per window of search(): a power of two, at least 32 (smaller in tests). */
  windowSize = 4096;
  /** Required phrases are matched before ranking when that costs about this many steps at most. */
  phraseFirstCost = 400_000;
  private windowAcc = new Float64Array(0);
  private windowBits = new Int32Array(0);

  get documentCount(): number {
    return this.liveDocs;
  }

  get passageCount(): number {
    return this.liveChunks;
  }

  get termCount(): number {
    return this.termStr.length;
  }

  /** The indexed version of a document, or 0. */
  versionOf(id: string): number {
    const slot = this.docSlots.get(id);
    return slot === undefined ? 0 : this.docVersion[slot];
  }

  isDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  /** Document frequency (passages) of an index term. */
  documentFrequency(term: string): number {
    const t = this.termIds.get(term);
    return t === undefined ? 0 : this.df[t];
  }

  /**
   * Adds or replaces a document. Idempotent and monotonic: a version not newer than the one
   * indexed, or a document deleted before, changes nothing. Returns whether it changed the index.
   */
  upsert(doc: IndexedDocument): boolean {
    if (this.deleted.has(doc.id)) return false;
    const existing = this.docSlots.get(doc.id);
    if (existing !== undefined) {
      if (this.docVersion[existing] >= doc.version) return false;
      this.dropChunks(existing);
      this.fillDoc(existing, doc);
    } else {
      const slot = this.freeDocs.pop() ?? this.nDocSlots++;
      this.ensureDocCapacity(slot + 1);
      this.docSlots.set(doc.id, slot);
      this.docIds[slot] = doc.id;
      this.liveDocs++;
      this.fillDoc(slot, doc);
    }
    this.maybeCompact();
    return true;
  }

  /** Removes a document for good (its id is remembered, so an older write cannot re-add it). */
  remove(id: string): boolean {
    this.deleted.add(id);
    const slot = this.docSlots.get(id);
    if (slot === undefined) return false;
    this.dropChunks(slot);
    this.docSlots.delete(id);
    this.docIds[slot] = '';
    this.docVersion[slot] = 0;
    this.docTags[slot] = [];
    this.docCollection[slot] = null;
    this.freeDocs.push(slot);
    this.liveDocs--;
    this.maybeCompact();
    return true;
  }

  /**
   * Bulk loading (a rebuild): between beginBulk() and endBulk(), upsert() only records passages;
   * endBulk() builds every posting list in one pass, with exact sizes.
   */
  beginBulk(): void {
    this.deferPostings = true;
  }

  endBulk(): void {
    this.deferPostings = false;
    this.rebuildPostings();
  }

  /** Adds many documents at once (beginBulk, upsert each, endBulk); returns how many changed the index. */
  bulkAdd(docs: Iterable<IndexedDocument>): number {
    this.beginBulk();
    let n = 0;
    try {
      for (const d of docs) if (this.upsert(d)) n++;
    } finally {
      this.endBulk();
    }
    return n;
  }

  /** Sorted vocabulary terms that start with a prefix, most frequent first (search as you type). */
  expandPrefix(prefix: string, max: number): string[] {
    this.mergeRecentTerms();
    const out: string[] = [];
    let lo = 0;
    let hi = this.sortedTerms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedTerms[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sortedTerms.length && this.sortedTerms[i].startsWith(prefix); i++)
      if (this.documentFrequency(this.sortedTerms[i]) > 0) out.push(this.sortedTerms[i]);
    for (const t of this.recentTerms) if (t.startsWith(prefix) && this.documentFrequency(t) > 0) out.push(t);
    return out.sort((a, b) => this.documentFrequency(b) - this.documentFrequency(a)).slice(0, max);
  }

  /**
   * Vocabulary terms within `maxEdits` edits (insert, delete, substitute, swap of neighbours) of
   * a term and starting with the same letter, most frequent first (typo tolerance).
   */
  similarTerms(term: string, maxEdits: number, max: number): string[] {
    const found: string[] = [];
    const scan = (t: string) => {
      if (t[0] !== term[0] || Math.abs(t.length - term.length) > maxEdits || t === term) return;
      if (this.documentFrequency(t) > 0 && editDistance(term, t, maxEdits) <= maxEdits) found.push(t);
    };
    this.mergeRecentTerms();
    // sortedTerms is sorted, so the terms with the same first letter are one range.
    let lo = 0;
    let hi = this.sortedTerms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedTerms[mid] < term[0]) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sortedTerms.length && this.sortedTerms[i][0] === term[0]; i++)
      scan(this.sortedTerms[i]);
    return found.sort((a, b) => this.documentFrequency(b) - this.documentFrequency(a)).slice(0, max);
  }

  /**
   * The k best documents for a query: BM25 per passage, a document scored by its best passage,
   * after filters, phrases and exclusions; ties by document id.
   *
   * MaxScore over postings sorted by passage slot (a document's passages are consecutive slots),
   * evaluated in windows of passage slots: terms are ordered by the most they can add to a
   * passage; once the k-th best document scores θ, the terms whose bounds together stay below θ
   * ("non-essential") no longer bring candidates. In each window the essential terms' postings
   * are added term at a time into a small dense array (a tight loop, no per-passage merge of
   * lists); its passages, in slot order, then get the non-essential terms looked up (galloping)
   * while they can still reach θ. A passage that can is scored exactly, in the query's term
   * order (the sum searchExhaustive() makes, so ties break the same way). With required phrases
   * the candidates are the passages holding them. Exact: the same results as searchExhaustive().
   */
  search(q: IndexQuery): IndexHit[] {
    const n = this.liveChunks;
    if (n === 0 || q.k <= 0) return [];
    const { k1, b } = q.params ?? this.params;
    const avgdl = Math.max(1, this.totalLen / n);
    const lenScale = (k1 * b) / avgdl;
    const lenBase = k1 * (1 - b);

    // Query terms with their weight (idf × weight × (k1 + 1)) and upper bound, lowest bound first.
    const qt: { t: number; w: number; ub: number; n: number }[] = [];
    for (const { term, weight } of q.terms) {
      const t = this.termIds.get(term);
      if (t === undefined || this.df[t] === 0 || weight <= 0) continue;
      const df = this.df[t];
      const w = Math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight * (k1 + 1);
      const tf = this.maxTf2[t] * 0.5;
      qt.push({ t, w, ub: (w * tf) / (tf + lenBase + lenScale * this.minLen[t]), n: qt.length });
    }
    if (!qt.length) return [];
    qt.sort((x, y) => x.ub - y.ub);
    const m = qt.length;
    const lists = qt.map((x) => this.postChunk[x.t]);
    const tfs = qt.map((x) => this.postTf[x.t]);
    const counts = qt.map((x) => this.postCount[x.t]);
    const weights = qt.map((x) => x.w);
    // prefix[i]: the most terms 0..i together can add (with a little slack: pruning compares
    // sums made in another order than the exact score's).
    const prefix = new Float64Array(m);
    for (let i = 0, acc = 0; i < m; i++) prefix[i] = acc += qt[i].ub * (1 + 1e-9);
    const pos = new Int32Array(m);
    const inQueryOrder = Int32Array.from(
      qt
        .map((x, i) => [x.n, i])
        .sort((a, b) => a[0] - b[0])
        .map((x) => x[1]),
    );
    const chunkLen = this.chunkLen;
    const chunkDoc = this.chunkDoc;

    const status = q.status === undefined ? -1 : STATUS_CODE[q.status];
    const stamp = this.nextStamp();
    const phrases = q.phrases.filter((p) => p.length > 0);
    const excluded = q.excludedTerms
      .map((term) => this.termIds.get(term))
      .filter((t): t is number => t !== undefined && this.df[t] > 0);
    const excludedPhrases = q.excludedPhrases.filter((p) => p.length > 0);

    // Top k documents: a heap with the worst on top, by (score asc, id desc).
    const heapDoc: number[] = [];
    const heapScore: number[] = [];
    const bestChunk = this.bestChunk;
    const ids = this.docIds;
    const worse = (a: number, b: number) =>
      heapScore[a] < heapScore[b] || (heapScore[a] === heapScore[b] && ids[heapDoc[a]] > ids[heapDoc[b]]);
    const swap = (i: number, j: number) => {
      const d = heapDoc[i];
      heapDoc[i] = heapDoc[j];
      heapDoc[j] = d;
      const x = heapScore[i];
      heapScore[i] = heapScore[j];
      heapScore[j] = x;
    };
    let cut = -1; // θ less a rounding margin: what pruning compares with
    let essential = 0; // terms below this index are non-essential
    const offer = (d: number, score: number) => {
      if (heapDoc.length === q.k) {
        if (score < heapScore[0] || (score === heapScore[0] && ids[d] > ids[heapDoc[0]])) return;
        if (this.docExcluded(d, stamp, excluded, excludedPhrases) || !this.docPasses(d, status, q)) return;
        heapDoc[0] = d;
        heapScore[0] = score;
        for (let i = 0; ;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let w = i;
          if (l < heapDoc.length && worse(l, w)) w = l;
          if (r < heapDoc.length && worse(r, w)) w = r;
          if (w === i) break;
          swap(i, w);
          i = w;
        }
      } else {
        if (this.docExcluded(d, stamp, excluded, excludedPhrases) || !this.docPasses(d, status, q)) return;
        heapDoc.push(d);
        heapScore.push(score);
        for (let j = heapDoc.length - 1; j > 0;) {
          const p = (j - 1) >> 1;
          if (!worse(j, p)) break;
          swap(j, p);
          j = p;
        }
      }
      if (heapDoc.length === q.k) {
        cut = heapScore[0] * (1 - 1e-9);
        while (essential < m && prefix[essential] < cut) essential++;
      }
    };

    // Score of passage c from the terms below `upto`, looked up by galloping from pos[] (passages
    // come in slot order); stops early (returning -1) once the passage cannot reach θ.
    const lookup = (c: number, score: number, upto: number): number => {
      for (let i = upto - 1; i >= 0; i--) {
        if (score + prefix[i] < cut) return -1;
        const list = lists[i];
        const end = counts[i];
        let p = pos[i];
        if (p < end && list[p] < c) {
          let step = 1;
          let hi = p + 1;
          while (hi < end && list[hi] < c) {
            p = hi;
            step *= 2;
            hi = p + step;
          }
          if (hi > end) hi = end;
          let lo = p + 1;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (list[mid] < c) lo = mid + 1;
            else hi = mid;
          }
          p = lo;
          pos[i] = p;
        }
        if (p < end && list[p] === c) {
          const tf = tfs[i][p] * 0.5;
          score += (weights[i] * tf) / (tf + lenBase + lenScale * chunkLen[c]);
        }
      }
      return score;
    };
    // The exact score of passage c: every term looked up, summed in the query's order.
    const exact = (c: number): number => {
      let sum = 0;
      for (let j = 0; j < m; j++) {
        const i = inQueryOrder[j];
        const list = lists[i];
        let lo = 0;
        let hi = counts[i];
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (list[mid] < c) lo = mid + 1;
          else hi = mid;
        }
        if (lo < counts[i] && list[lo] === c) {
          const tf = tfs[i][lo] * 0.5;
          sum += (weights[i] * tf) / (tf + lenBase + lenScale * chunkLen[c]);
        }
      }
      return sum;
    };

    // Each document's best passage (passages arrive in slot order, a document's together).
    let curDoc = -1;
    let curBest = -1;
    const flush = () => {
      if (curDoc >= 0 && curBest >= 0) offer(curDoc, curBest);
    };
    const consider = (c: number, score: number) => {
      const d = chunkDoc[c];
      if (d !== curDoc) {
        flush();
        curDoc = d;
        curBest = -1;
      }
      if (score > curBest || (score === curBest && this.chunkOrd[c] < this.chunkOrd[bestChunk[d]])) {
        curBest = score;
        bestChunk[d] = c;
      }
    };

    // Required phrases: when finding their passages is cheap (a rare word, or two words seldom
    // together), the candidates are those passages; otherwise a passage is checked for them only
    // once it can reach θ (the passages of two common words are too many to check).
    let phraseIds: number[][] | null = null;
    let phrasesFirst = false;
    if (phrases.length) {
      phraseIds = [];
      // Estimated steps: per phrase, its rarest word's postings walked and the passages holding
      // its two rarest words (as if independent) scanned for the sequence; then every passage
      // holding the phrases scored (all terms looked up).
      let cost = 0;
      let passages = n;
      const tokensPerPassage = this.nTokens / Math.max(1, this.nChunks);
      for (const p of phrases) {
        const tids = p.map((term) => this.termIds.get(term) ?? -1);
        if (tids.some((t) => t < 0 || this.df[t] === 0)) return [];
        phraseIds.push(tids);
        const dfs = [...new Set(tids)].map((t) => this.df[t]).sort((x, y) => x - y);
        const both = dfs.length > 1 ? (dfs[0] * dfs[1]) / n : dfs[0];
        cost += dfs[0] + (tids.length > 1 ? both * tokensPerPassage : 0);
        passages = Math.min(passages, both);
      }
      phrasesFirst = cost + passages * 8 * m <= this.phraseFirstCost;
    }
    const hasPhrases = (c: number) => {
      for (const tids of phraseIds!) if (!this.containsSequence(c, tids)) return false;
      return true;
    };
    if (phrasesFirst) {
      // The candidates are the passages holding every required phrase (their words are query
      // terms, so each scores above 0), in slot order.
      for (const c of this.phrasePassages(phrases, stamp)) {
        if (chunkDoc[c] < 0) continue;
        if (prefix[m - 1] < cut) break;
        const score = lookup(c, 0, m);
        if (score <= 0 || score < cut) continue;
        consider(c, exact(c));
      }
    } else {
      const W = this.windowSize;
      if (this.windowAcc.length !== W) {
        this.windowAcc = new Float64Array(W);
        this.windowBits = new Int32Array(W >> 5);
      }
      const acc = this.windowAcc;
      const bits = this.windowBits;
      for (let base = 0; base < this.nChunks && essential < m; base += W) {
        const end = base + W;
        const ess = essential;
        // Essential terms, term at a time, into acc[passage - base].
        for (let i = ess; i < m; i++) {
          const list = lists[i];
          const tf = tfs[i];
          const cnt = counts[i];
          const w = weights[i];
          let p = pos[i];
          for (; p < cnt; p++) {
            const c = list[p];
            if (c >= end) break;
            const x = tf[p] * 0.5;
            const o = c - base;
            acc[o] += (w * x) / (x + lenBase + lenScale * chunkLen[c]);
            bits[o >> 5] |= 1 << (o & 31);
          }
          pos[i] = p;
        }
        // The window's passages in slot order.
        for (let wi = 0; wi < W >> 5; wi++) {
          let word = bits[wi];
          if (word === 0) continue;
          bits[wi] = 0;
          while (word !== 0) {
            const o = (wi << 5) | (31 - Math.clz32(word & -word));
            word &= word - 1;
            const c = base + o;
            let score = acc[o];
            acc[o] = 0;
            if (chunkDoc[c] < 0) continue;
            if (ess > 0) {
              score = lookup(c, score, ess);
              if (score < 0) continue;
            }
            if (score < cut) continue;
            if (phraseIds && !hasPhrases(c)) continue;
            consider(c, exact(c));
          }
        }
      }
    }
    flush();

    const order = heapDoc.map((d, i) => i).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
    return order.map((i) => {
      const d = heapDoc[i];
      return {
        documentId: ids[d],
        version: this.docVersion[d],
        ordinal: this.chunkOrd[bestChunk[d]],
        score: heapScore[i],
      };
    });
  }

  /** Live and dead passages holding every phrase (each a list of term ids), in slot order. */
  private phrasePassages(phrases: string[][], stamp: number): number[] {
    if (phrases.length === 1) return this.phraseChunks(phrases[0]);
    for (const phrase of phrases) {
      for (const c of this.phraseChunks(phrase)) {
        if (this.chunkMark[c] !== stamp) {
          this.chunkMark[c] = stamp;
          this.chunkMatches[c] = 0;
        }
        this.chunkMatches[c]++;
      }
    }
    return this.phraseChunks(phrases[0]).filter(
      (c) => this.chunkMark[c] === stamp && this.chunkMatches[c] === phrases.length,
    );
  }

  /** Whether a document holds an excluded term or phrase in any of its passages (memoized per query). */
  private docExcluded(d: number, stamp: number, terms: number[], phrases: string[][]): boolean {
    if (!terms.length && !phrases.length) return false;
    const mark = this.docMark[d];
    if (mark === stamp) return false;
    if (mark === -stamp) return true;
    const first = this.docFirstChunk[d];
    const last = first + this.docChunkCount[d];
    let out = false;
    for (const t of terms) {
      // Postings are sorted by passage slot: the first at or after the document's first passage.
      const list = this.postChunk[t];
      let lo = 0;
      let hi = this.postCount[t];
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid] < first) lo = mid + 1;
        else hi = mid;
      }
      if (lo < this.postCount[t] && list[lo] < last) {
        out = true;
        break;
      }
    }
    if (!out && phrases.length) {
      outer: for (const phrase of phrases) {
        const ids = phrase.map((term) => this.termIds.get(term));
        if (ids.some((t) => t === undefined)) continue;
        for (let c = first; c < last; c++)
          if (this.containsSequence(c, ids as number[])) {
            out = true;
            break outer;
          }
      }
    }
    this.docMark[d] = out ? -stamp : stamp;
    return out;
  }

  /**
   * The same ranking as search(), by scoring every posting of every query term (term at a
   * time into a dense array). Kept as the reference that search() is tested against.
   */
  searchExhaustive(q: IndexQuery): IndexHit[] {
    const n = this.liveChunks;
    if (n === 0 || q.k <= 0) return [];
    const { k1, b } = q.params ?? this.params;
    const avgdl = Math.max(1, this.totalLen / n);
    const stamp = this.nextStamp();

    // Exclusions: documents with an excluded term or phrase anywhere.
    for (const term of q.excludedTerms) {
      const t = this.termIds.get(term);
      if (t === undefined) continue;
      const pc = this.postChunk[t];
      for (let i = 0, m = this.postCount[t]; i < m; i++) {
        const d = this.chunkDoc[pc[i]];
        if (d >= 0) this.docMark[d] = -stamp;
      }
    }
    for (const phrase of q.excludedPhrases) {
      for (const c of this.phraseChunks(phrase)) this.docMark[this.chunkDoc[c]] = -stamp;
    }

    // Required phrases: the passages that contain every one of them.
    const phrases = q.phrases.filter((p) => p.length > 0);
    if (phrases.length) {
      for (const phrase of phrases) {
        for (const c of this.phraseChunks(phrase)) {
          if (this.chunkMark[c] !== stamp) {
            this.chunkMark[c] = stamp;
            this.chunkMatches[c] = 0;
          }
          this.chunkMatches[c]++;
        }
      }
    }

    // Term-at-a-time BM25 into acc[passage].
    const acc = this.acc;
    const touched = this.touched;
    let nTouched = 0;
    for (const { term, weight } of q.terms) {
      const t = this.termIds.get(term);
      if (t === undefined || this.df[t] === 0 || weight <= 0) continue;
      const df = this.df[t];
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight * (k1 + 1);
      const pc = this.postChunk[t];
      const pt = this.postTf[t];
      const lenScale = (k1 * b) / avgdl;
      const lenBase = k1 * (1 - b);
      for (let i = 0, m = this.postCount[t]; i < m; i++) {
        const c = pc[i];
        if (this.chunkDoc[c] < 0) continue;
        const tf = pt[i] * 0.5;
        const s = (idf * tf) / (tf + lenBase + lenScale * this.chunkLen[c]);
        if (acc[c] === 0) touched[nTouched++] = c;
        acc[c] += s;
      }
    }

    // Each document's best passage, after filters.
    const status = q.status === undefined ? -1 : STATUS_CODE[q.status];
    const best = this.best;
    const bestChunk = this.bestChunk;
    const touchedDocs = this.touchedDocs;
    let nDocs = 0;
    for (let i = 0; i < nTouched; i++) {
      const c = touched[i];
      const s = acc[c];
      acc[c] = 0;
      if (phrases.length && (this.chunkMark[c] !== stamp || this.chunkMatches[c] < phrases.length)) continue;
      const d = this.chunkDoc[c];
      const mark = this.docMark[d];
      if (mark === -stamp) continue;
      if (mark !== stamp) {
        if (!this.docPasses(d, status, q)) {
          this.docMark[d] = -stamp;
          continue;
        }
        this.docMark[d] = stamp;
        best[d] = 0;
        bestChunk[d] = c;
        touchedDocs[nDocs++] = d;
      }
      if (s > best[d] || (s === best[d] && this.chunkOrd[c] < this.chunkOrd[bestChunk[d]])) {
        best[d] = s;
        bestChunk[d] = c;
      }
    }

    return this.topK(touchedDocs, nDocs, q.k).map((d) => ({
      documentId: this.docIds[d],
      version: this.docVersion[d],
      ordinal: this.chunkOrd[bestChunk[d]],
      score: best[d],
    }));
  }

  /** Approximate bytes held by the index (typed arrays exactly; strings and maps estimated). */
  memoryBytes(): number {
    let bytes = 0;
    for (let t = 0; t < this.termStr.length; t++) {
      bytes += this.postChunk[t].byteLength + this.postTf[t].byteLength + 2 * this.termStr[t].length + 120;
    }
    for (const a of [
      this.docVersion,
      this.docStatus,
      this.docFirstChunk,
      this.docChunkCount,
      this.chunkDoc,
      this.chunkOrd,
      this.chunkLen,
      this.chunkTitleLen,
      this.chunkTokStart,
      this.chunkTokLen,
      this.tokens,
      this.acc,
      this.touched,
      this.best,
      this.bestChunk,
      this.touchedDocs,
      this.docMark,
      this.chunkMark,
      this.chunkMatches,
      this.termMark,
      this.termTf,
    ])
      bytes += a.byteLength;
    for (let d = 0; d < this.nDocSlots; d++) {
      bytes += 140 + (this.docCollection[d]?.length ?? 0) + 40 * (this.docTags[d]?.length ?? 0);
    }
    return bytes + 60 * this.deleted.size;
  }

  /**
   * The index's state for a snapshot, taken synchronously in milliseconds: what changes in place
   * is copied; passage data, the forward index and each term's postings up to its current count
   * are only ever appended to (growth and compaction allocate new arrays), so views of them stay
   * valid while the caller encodes and writes them asynchronously.
   */
  state(): IndexState {
    const nTerms = this.termStr.length;
    const chunk: Int32Array[] = new Array(nTerms);
    const tf: Uint16Array[] = new Array(nTerms);
    for (let t = 0; t < nTerms; t++) {
      chunk[t] = this.postChunk[t].subarray(0, this.postCount[t]);
      tf[t] = this.postTf[t].subarray(0, this.postCount[t]);
    }
    const nd = this.nDocSlots;
    const nc = this.nChunks;
    return {
      format: STATE_FORMAT,
      strings: {
        vocabulary: this.termStr.slice(),
        docIds: this.docIds.slice(0, nd),
        docCollection: this.docCollection.slice(0, nd),
        docTags: this.docTags.slice(0, nd),
        deleted: [...this.deleted],
      },
      postings: { chunk, tf },
      arrays: {
        postCount: Int32Array.from(this.postCount),
        df: Int32Array.from(this.df),
        maxTf2: Int32Array.from(this.maxTf2),
        minLen: Float32Array.from(this.minLen),
        docVersion: this.docVersion.slice(0, nd),
        docStatus: this.docStatus.slice(0, nd),
        docFirstChunk: this.docFirstChunk.slice(0, nd),
        docChunkCount: this.docChunkCount.slice(0, nd),
        chunkDoc: this.chunkDoc.slice(0, nc),
        chunkOrd: this.chunkOrd.subarray(0, nc),
        chunkLen: this.chunkLen.subarray(0, nc),
        chunkTitleLen: this.chunkTitleLen.subarray(0, nc),
        chunkTokStart: this.chunkTokStart.subarray(0, nc),
        chunkTokLen: this.chunkTokLen.subarray(0, nc),
        tokens: this.tokens.subarray(0, this.nTokens),
      },
      scalars: {
        nDocSlots: nd,
        liveDocs: this.liveDocs,
        nChunks: nc,
        liveChunks: this.liveChunks,
        totalLen: this.totalLen,
      },
    };
  }

  /** An index from state() (postings used as they are, not recomputed); null when not of this format. */
  static fromState(s: IndexState): SearchIndex | null {
    if (!s || s.format !== STATE_FORMAT) return null;
    const ix = new SearchIndex();
    const a = s.arrays;
    const nTerms = s.strings.vocabulary.length;
    ix.termStr = s.strings.vocabulary;
    for (let t = 0; t < nTerms; t++) ix.termIds.set(ix.termStr[t], t);
    ix.sortedTerms = ix.termStr.slice().sort();
    ix.postChunk = s.postings.chunk;
    ix.postTf = s.postings.tf;
    ix.postCount = Array.from(a.postCount);
    ix.df = Array.from(a.df);
    ix.maxTf2 = Array.from(a.maxTf2);
    ix.minLen = Array.from(a.minLen);
    const { nDocSlots, nChunks } = s.scalars;
    ix.docIds = s.strings.docIds;
    ix.docCollection = s.strings.docCollection;
    ix.docTags = s.strings.docTags;
    ix.docVersion = a.docVersion;
    ix.docStatus = a.docStatus;
    ix.docFirstChunk = a.docFirstChunk;
    ix.docChunkCount = a.docChunkCount;
    for (let d = 0; d < nDocSlots; d++) {
      if (ix.docIds[d]) ix.docSlots.set(ix.docIds[d], d);
      else ix.freeDocs.push(d);
    }
    ix.nDocSlots = nDocSlots;
    ix.liveDocs = s.scalars.liveDocs;
    ix.chunkDoc = a.chunkDoc;
    ix.chunkOrd = a.chunkOrd;
    ix.chunkLen = a.chunkLen;
    ix.chunkTitleLen = a.chunkTitleLen;
    ix.chunkTokStart = a.chunkTokStart;
    ix.chunkTokLen = a.chunkTokLen;
    ix.nChunks = nChunks;
    ix.liveChunks = s.scalars.liveChunks;
    ix.totalLen = s.scalars.totalLen;
    ix.tokens = a.tokens;
    ix.nTokens = a.tokens.length;
    for (const id of s.strings.deleted) ix.deleted.add(id);
    // Scratch space sized to the loaded index (the typed arrays above grow on the next write).
    ix.ensureDocCapacity(nDocSlots);
    ix.ensureChunkCapacity(nChunks);
    return ix;
  }

  /** The index as plain data (live passages only, compacted). */
  toSnapshot(): IndexSnapshot {
    const docs: number[] = [];
    for (let d = 0; d < this.nDocSlots; d++) if (this.docIds[d]) docs.push(d);
    let nChunks = 0;
    let nTok = 0;
    for (const d of docs) {
      nChunks += this.docChunkCount[d];
      for (let j = 0; j < this.docChunkCount[d]; j++) nTok += this.chunkTokLen[this.docFirstChunk[d] + j];
    }
    const s: IndexSnapshot = {
      format: SNAPSHOT_FORMAT,
      vocabulary: this.termStr.slice(),
      docIds: docs.map((d) => this.docIds[d]),
      docVersion: new Int32Array(docs.length),
      docStatus: new Uint8Array(docs.length),
      docCollection: docs.map((d) => this.docCollection[d]),
      docTags: docs.map((d) => this.docTags[d]),
      docFirstChunk: new Int32Array(docs.length),
      docChunkCount: new Int32Array(docs.length),
      chunkOrd: new Uint16Array(nChunks),
      chunkTitleLen: new Int32Array(nChunks),
      chunkTokLen: new Int32Array(nChunks),
      tokens: new Int32Array(nTok),
      deleted: [...this.deleted],
    };
    let c2 = 0;
    let tok = 0;
    docs.forEach((d, i) => {
      s.docVersion[i] = this.docVersion[d];
      s.docStatus[i] = this.docStatus[d];
      s.docFirstChunk[i] = c2;
      s.docChunkCount[i] = this.docChunkCount[d];
      for (let j = 0; j < this.docChunkCount[d]; j++, c2++) {
        const c = this.docFirstChunk[d] + j;
        s.chunkOrd[c2] = this.chunkOrd[c];
        s.chunkTitleLen[c2] = this.chunkTitleLen[c];
        s.chunkTokLen[c2] = this.chunkTokLen[c];
        s.tokens.set(
          this.tokens.subarray(this.chunkTokStart[c], this.chunkTokStart[c] + this.chunkTokLen[c]),
          tok,
        );
        tok += this.chunkTokLen[c];
      }
    });
    return s;
  }

  /** An index from toSnapshot()'s data; null when the data is not of this format. */
  static fromSnapshot(s: IndexSnapshot): SearchIndex | null {
    if (!s || s.format !== SNAPSHOT_FORMAT) return null;
    const ix = new SearchIndex();
    s.vocabulary.forEach((t) => ix.termId(t));
    const nDocs = s.docIds.length;
    const nChunks = s.chunkOrd.length;
    ix.ensureDocCapacity(nDocs);
    ix.ensureChunkCapacity(nChunks);
    ix.tokens = s.tokens.slice();
    ix.nTokens = s.tokens.length;
    let tok = 0;
    for (let c = 0; c < nChunks; c++) {
      ix.chunkOrd[c] = s.chunkOrd[c];
      ix.chunkTitleLen[c] = s.chunkTitleLen[c];
      ix.chunkTokLen[c] = s.chunkTokLen[c];
      ix.chunkTokStart[c] = tok;
      tok += s.chunkTokLen[c];
      const titleLen = Math.min(s.chunkTitleLen[c], s.chunkTokLen[c]);
      ix.chunkLen[c] = (titleLen * TITLE_TF2 + (s.chunkTokLen[c] - titleLen) * BODY_TF2) / 2;
      ix.totalLen += ix.chunkLen[c];
    }
    ix.nChunks = nChunks;
    ix.liveChunks = nChunks;
    for (let d = 0; d < nDocs; d++) {
      ix.docSlots.set(s.docIds[d], d);
      ix.docIds[d] = s.docIds[d];
      ix.docVersion[d] = s.docVersion[d];
      ix.docStatus[d] = s.docStatus[d];
      ix.docCollection[d] = s.docCollection[d];
      ix.docTags[d] = s.docTags[d];
      ix.docFirstChunk[d] = s.docFirstChunk[d];
      ix.docChunkCount[d] = s.docChunkCount[d];
      for (let j = 0; j < s.docChunkCount[d]; j++) ix.chunkDoc[s.docFirstChunk[d] + j] = d;
    }
    ix.nDocSlots = nDocs;
    ix.liveDocs = nDocs;
    for (const id of s.deleted) ix.deleted.add(id);
    ix.rebuildPostings();
    return ix;
  }

  // ---- internals ----

  private nextTermStamp(): number {
    if (this.termStamp >= 0x3fffffff) {
      this.termStamp = 0;
      this.termMark.fill(0);
    }
    return ++this.termStamp;
  }

  private nextStamp(): number {
    if (this.stamp >= 0x3fffffff) {
      this.stamp = 0;
      this.docMark.fill(0);
      this.chunkMark.fill(0);
    }
    return ++this.stamp;
  }

  private docPasses(d: number, status: number, q: IndexQuery): boolean {
    if (status >= 0 && this.docStatus[d] !== status) return false;
    if (q.collection !== undefined && this.docCollection[d] !== q.collection) return false;
    if (q.tags?.length) {
      const tags = this.docTags[d];
      for (const t of q.tags) if (!tags.includes(t)) return false;
    }
    return true;
  }

  /** The k best documents by (score desc, id asc). */
  private topK(docs: Int32Array, n: number, k: number): number[] {
    const best = this.best;
    const ids = this.docIds;
    // worse(a, b): a ranks below b.
    const worse = (a: number, b: number) => best[a] < best[b] || (best[a] === best[b] && ids[a] > ids[b]);
    const heap: number[] = [];
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(heap[l], heap[m])) m = l;
        if (r < heap.length && worse(heap[r], heap[m])) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    };
    for (let i = 0; i < n; i++) {
      const d = docs[i];
      if (heap.length < k) {
        heap.push(d);
        for (let j = heap.length - 1; j > 0;) {
          const p = (j - 1) >> 1;
          if (!worse(heap[j], heap[p])) break;
          [heap[j], heap[p]] = [heap[p], heap[j]];
          j = p;
        }
      } else if (worse(heap[0], d)) {
        heap[0] = d;
        down(0);
      }
    }
    return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  }

  /** Live passages containing the phrase's terms adjacent and in order. */
  private phraseChunks(phrase: string[]): number[] {
    const ids: number[] = [];
    for (const term of phrase) {
      const t = this.termIds.get(term);
      if (t === undefined || this.df[t] === 0) return [];
      ids.push(t);
    }
    // Walk the postings of the rarest term; where the next rarest (distinct) term is in the
    // passage too (a galloping merge), check the passage's term sequence.
    const byDf = [...new Set(ids)].sort((x, y) => this.df[x] - this.df[y]);
    const rare = byDf[0];
    const out: number[] = [];
    const pc = this.postChunk[rare];
    const single = ids.length === 1;
    const other = byDf.length > 1 ? this.postChunk[byDf[1]] : null;
    const otherEnd = byDf.length > 1 ? this.postCount[byDf[1]] : 0;
    let p = 0;
    for (let i = 0, m = this.postCount[rare]; i < m; i++) {
      const c = pc[i];
      if (this.chunkDoc[c] < 0) continue;
      if (other) {
        let step = 1;
        while (p + step < otherEnd && other[p + step] < c) step *= 2;
        let lo = p;
        let hi = Math.min(otherEnd, p + step + 1);
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (other[mid] < c) lo = mid + 1;
          else hi = mid;
        }
        p = lo;
        if (p >= otherEnd) break;
        if (other[p] !== c) continue;
      }
      if (single || this.containsSequence(c, ids)) out.push(c);
    }
    return out;
  }

  private containsSequence(c: number, ids: readonly number[]): boolean {
    const start = this.chunkTokStart[c];
    const end = start + this.chunkTokLen[c] - ids.length;
    const toks = this.tokens;
    outer: for (let i = start; i <= end; i++) {
      for (let j = 0; j < ids.length; j++) if (toks[i + j] !== ids[j]) continue outer;
      return true;
    }
    return false;
  }

  private termId(term: string): number {
    let t = this.termIds.get(term);
    if (t === undefined) {
      t = this.termStr.length;
      this.termIds.set(term, t);
      this.termStr.push(term);
      this.postChunk.push(EMPTY_I32);
      this.postTf.push(EMPTY_U16);
      this.postCount.push(0);
      this.df.push(0);
      this.maxTf2.push(0);
      this.minLen.push(Infinity);
      this.recentTerms.push(term);
      if (this.recentTerms.length > 4096) this.mergeRecentTerms();
    }
    return t;
  }

  private mergeRecentTerms(): void {
    if (!this.recentTerms.length) return;
    this.sortedTerms = this.sortedTerms.concat(this.recentTerms).sort();
    this.recentTerms = [];
  }

  private ensureDocCapacity(n: number): void {
    this.docVersion = grow(this.docVersion, n);
    this.docStatus = grow(this.docStatus, n);
    this.docFirstChunk = grow(this.docFirstChunk, n);
    this.docChunkCount = grow(this.docChunkCount, n);
    this.best = grow(this.best, n);
    this.bestChunk = grow(this.bestChunk, n);
    this.touchedDocs = grow(this.touchedDocs, n);
    this.docMark = grow(this.docMark, n);
  }

  private ensureChunkCapacity(n: number): void {
    this.chunkDoc = grow(this.chunkDoc, n);
    this.chunkOrd = grow(this.chunkOrd, n);
    this.chunkLen = grow(this.chunkLen, n);
    this.chunkTitleLen = grow(this.chunkTitleLen, n);
    this.chunkTokStart = grow(this.chunkTokStart, n);
    this.chunkTokLen = grow(this.chunkTokLen, n);
    this.acc = grow(this.acc, n);
    this.touched = grow(this.touched, n);
    this.chunkMark = grow(this.chunkMark, n);
    this.chunkMatches = grow(this.chunkMatches, n);
  }

  private fillDoc(slot: number, doc: IndexedDocument): void {
    this.docVersion[slot] = doc.version;
    this.docStatus[slot] = STATUS_CODE[doc.status] ?? 0;
    this.docCollection[slot] = doc.collection;
    this.docTags[slot] = [...doc.tags];
    const title: number[] = [];
    this.words.append(doc.title, title);
    const chunks = chunkMarkdown(doc.body);
    this.docFirstChunk[slot] = this.nChunks;
    this.docChunkCount[slot] = chunks.length;
    for (const ch of chunks) {
      const body: number[] = [];
      this.words.append(ch.content, body);
      this.addChunk(slot, ch.ordinal, title, body);
    }
  }

  private addChunk(doc: number, ordinal: number, title: number[], body: number[]): void {
    const c = this.nChunks++;
    this.ensureChunkCapacity(c + 1);
    const len = title.length + body.length;
    this.tokens = grow(this.tokens, this.nTokens + len);
    this.tokens.set(title, this.nTokens);
    this.tokens.set(body, this.nTokens + title.length);
    this.chunkDoc[c] = doc;
    this.chunkOrd[c] = Math.min(ordinal, 0xffff);
    this.chunkTitleLen[c] = title.length;
    this.chunkTokStart[c] = this.nTokens;
    this.chunkTokLen[c] = len;
    this.nTokens += len;
    const chunkLen = (title.length * TITLE_TF2 + body.length * BODY_TF2) / 2;
    this.chunkLen[c] = chunkLen;
    this.totalLen += chunkLen;
    this.liveChunks++;
    if (!this.deferPostings) this.postChunk_(c);
  }

  /** Appends one passage's postings and counts its terms' document frequencies. */
  private postChunk_(c: number): void {
    const distinct = this.countTerms(c);
    for (const t of distinct) {
      const i = this.postCount[t]++;
      if (i >= this.postChunk[t].length) {
        const cap = Math.max(4, this.postChunk[t].length * 2);
        this.postChunk[t] = grow(this.postChunk[t], cap);
        this.postTf[t] = grow(this.postTf[t], cap);
      }
      this.postChunk[t][i] = c;
      const tf2 = Math.min(MAX_TF2, this.termTf[t]);
      this.postTf[t][i] = tf2;
      this.df[t]++;
      if (tf2 > this.maxTf2[t]) this.maxTf2[t] = tf2;
      if (this.chunkLen[c] < this.minLen[t]) this.minLen[t] = this.chunkLen[c];
    }
  }

  /** The distinct term ids of a passage; their doubled tf is left in termTf. */
  private countTerms(c: number): number[] {
    this.termMark = grow(this.termMark, this.termStr.length);
    this.termTf = grow(this.termTf, this.termStr.length);
    const mark = this.nextTermStamp();
    const distinct: number[] = [];
    const start = this.chunkTokStart[c];
    const titleEnd = start + this.chunkTitleLen[c];
    const end = start + this.chunkTokLen[c];
    for (let i = start; i < end; i++) {
      const t = this.tokens[i];
      const w = i < titleEnd ? TITLE_TF2 : BODY_TF2;
      if (this.termMark[t] !== mark) {
        this.termMark[t] = mark;
        this.termTf[t] = w;
        distinct.push(t);
      } else this.termTf[t] += w;
    }
    return distinct;
  }

  private dropChunks(slot: number): void {
    const first = this.docFirstChunk[slot];
    for (let c = first; c < first + this.docChunkCount[slot]; c++) {
      if (this.chunkDoc[c] < 0) continue;
      if (!this.deferPostings) for (const t of this.countTerms(c)) this.df[t]--;
      this.chunkDoc[c] = -1;
      this.totalLen -= this.chunkLen[c];
      this.liveChunks--;
    }
    this.docChunkCount[slot] = 0;
  }

  /** Builds every posting list from the forward index (exact sizes). */
  private rebuildPostings(): void {
    const nTerms = this.termStr.length;
    const counts = new Int32Array(nTerms);
    this.termMark = grow(this.termMark, nTerms);
    for (let c = 0; c < this.nChunks; c++) {
      if (this.chunkDoc[c] < 0) continue;
      const mark = this.nextTermStamp();
      const start = this.chunkTokStart[c];
      for (let i = start; i < start + this.chunkTokLen[c]; i++) {
        const t = this.tokens[i];
        if (this.termMark[t] !== mark) {
          this.termMark[t] = mark;
          counts[t]++;
        }
      }
    }
    for (let t = 0; t < nTerms; t++) {
      this.postChunk[t] = counts[t] ? new Int32Array(counts[t]) : EMPTY_I32;
      this.postTf[t] = counts[t] ? new Uint16Array(counts[t]) : EMPTY_U16;
      this.postCount[t] = 0;
      this.df[t] = 0;
      this.maxTf2[t] = 0;
      this.minLen[t] = Infinity;
    }
    for (let c = 0; c < this.nChunks; c++) if (this.chunkDoc[c] >= 0) this.postChunk_(c);
  }

  /** Rebuilds the index from its live passages when dead ones outnumber them. */
  private maybeCompact(): void {
    const dead = this.nChunks - this.liveChunks;
    if (this.deferPostings || dead < 1024 || dead < this.liveChunks) return;
    const fresh = SearchIndex.fromSnapshot(this.toSnapshot());
    if (fresh) Object.assign(this, fresh, { params: this.params });
  }
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);

/** Optimal string alignment distance, giving up (returning max + 1) once it exceeds max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

export const statusName = (code: number): DocumentStatusName => DOCUMENT_STATUSES[code] ?? 'draft';
