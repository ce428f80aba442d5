import stem from 'wink-porter2-stemmer';

/**
 * Postgres' `english` stop words (the Snowball list), so the in-process index drops the same
 * words the SQL full-text search did.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is ' +
    'are was were be been being have has had having do does did doing a an the and but if or because as until ' +
    'while of at by for with about against between into through during before after above below to from up ' +
    'down in out on off over under again further then once here there when where why how all any both each ' +
    'few more most other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** Words longer than this are not indexed (hashes, base64, run-on garbage). */
export const MAX_WORD_LENGTH = 60;

const WORD = /[\p{L}\p{N}]+/gu;
const ASCII = /^[^\u0080-\uffff]*$/;
const STEM_CACHE_LIMIT = 200_000;
const stems = new Map<string, string>();

/** The index term of one lower-cased word: Porter2 (Snowball english) stem, as Postgres' `english`. */
export function stemWord(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = /^\p{L}+$/u.test(word) ? stem(word) : word;
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/** One word of a text: its index term and where it stands in the text. */
export interface Token {
  term: string;
  start: number;
  end: number;
}

/**
 * Words of a text in order with their offsets (letters and digits; everything else separates
 * words), lower-cased and stemmed, stop words and over-long words left out.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (word.length > MAX_WORD_LENGTH || STOP_WORDS.has(word)) continue;
    out.push({ term: stemWord(word), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The index terms of a text, in order (repeats kept). */
export function terms(text: string): string[] {
  // ASCII text (most help-center text) is scanned by character codes, lower-cased once; other
  // text word by word with the Unicode pattern (lower-casing can change where words break:
  // İ becomes i + a combining mark).
  return ASCII.test(text) ? asciiTerms(text.toLowerCase()) : unicodeTerms(text);
}

function unicodeTerms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (word.length > MAX_WORD_LENGTH || STOP_WORDS.has(word)) continue;
    out.push(stemWord(word));
  }
  return out;
}

/** The same words as unicodeTerms for lower-cased ASCII text: runs of a-z and 0-9. */
function asciiTerms(lower: string): string[] {
  const out: string[] = [];
  const n = lower.length;
  let i = 0;
  while (i < n) {
    let c = lower.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
      i++;
      continue;
    }
    const start = i;
    do c = lower.charCodeAt(++i);
    while (i < n && ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)));
    if (i - start > MAX_WORD_LENGTH) continue;
    const word = lower.slice(start, i);
    if (STOP_WORDS.has(word)) continue;
    out.push(stems.get(word) ?? stemWord(word));
  }
  return out;
}

/**
 * Word-table slots at most; a fuller table starts over (its words are looked up again). As with
 * the stem cache, a word cut from a long text can keep that text alive, so the table stays small.
 */
const WORD_TABLE_MAX = 1 << 18;

/**
 * The index's term ids of a text, as `terms()` gives its terms (same words, same order), for
 * indexing: each lower-cased ASCII word is found in an open-addressing table by a hash computed
 * while scanning its characters, so an occurrence of a known word costs no string, no stop-word
 * check, no stem lookup and no vocabulary lookup; a new word is stemmed and mapped once (stop
 * words and over-long words to -1, left out). Non-ASCII text goes through `terms()`.
 */
export class TermIdTable {
  private keys: (string | undefined)[] = [];
  private hashes = new Int32Array(0);
  private ids = new Int32Array(0);
  private mask = 0;
  private size = 0;

  /** `idOf` gives the id of an index term (adding it to the vocabulary when new). */
  constructor(private readonly idOf: (term: string) => number) {
    this.reset(1 << 12);
  }

  /** Appends the term ids of `text` to `out`. */
  append(text: string, out: number[]): void {
    if (!ASCII.test(text)) {
      for (const t of unicodeTerms(text)) out.push(this.idOf(t));
      return;
    }
    const n = text.length;
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
        i++;
        continue;
      }
      const start = i;
      let h = 0x811c9dc5;
      for (;;) {
        h = Math.imul(h ^ c, 0x01000193);
        if (++i >= n) break;
        c = text.charCodeAt(i);
        if (c >= 65 && c <= 90) c += 32;
        if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) break;
      }
      const len = i - start;
      if (len > MAX_WORD_LENGTH) continue;
      const id = this.lookup(text, start, len, h);
      if (id >= 0) out.push(id);
    }
  }

  private lookup(text: string, start: number, len: number, h: number): number {
    const keys = this.keys;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const key = keys[s];
      if (key === undefined) break;
      if (this.hashes[s] === h && key.length === len && sameWord(key, text, start)) return this.ids[s];
    }
    const word = text.slice(start, start + len).toLowerCase();
    const id = STOP_WORDS.has(word) ? -1 : this.idOf(stemWord(word));
    this.insert(word, h, id);
    return id;
  }

  private insert(word: string, h: number, id: number): void {
    if ((this.size + 1) * 2 > this.keys.length) {
      if (this.keys.length >= WORD_TABLE_MAX) this.reset(this.keys.length);
      else this.grow();
    }
    let s = h & this.mask;
    while (this.keys[s] !== undefined) s = (s + 1) & this.mask;
    this.keys[s] = word;
    this.hashes[s] = h;
    this.ids[s] = id;
    this.size++;
  }

  private reset(capacity: number): void {
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
  }

  private grow(): void {
    const { keys, hashes, ids } = this;
    this.reset(keys.length * 2);
    for (let s = 0; s < keys.length; s++) {
      const key = keys[s];
      if (key !== undefined) this.insert(key, hashes[s], ids[s]);
    }
  }
}

/** Whether `text` at `start` holds `word` (lower-case ASCII), compared case-insensitively. */
function sameWord(word: string, text: string, start: number): boolean {
  for (let j = 0; j < word.length; j++) {
    let c = text.charCodeAt(start + j);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(j)) return false;
  }
  return true;
}
