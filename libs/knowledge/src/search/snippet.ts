import { MAX_WORD_LENGTH, STOP_WORDS, stemWord } from './tokenizer';

export interface SnippetOptions {
  /** Characters per fragment (about 20 words of English). */
  fragmentChars: number;
  maxFragments: number;
}
export const SNIPPET_DEFAULTS: SnippetOptions = { fragmentChars: 160, maxFragments: 2 };

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
const WORD_CHAR = /[\p{L}\p{N}]/u;

interface Match {
  start: number;
  end: number;
  term: string;
}

/**
 * The best passage fragments of a text for a set of index terms: up to `maxFragments` windows
 * of about `fragmentChars` characters holding the most distinct matched terms, in text order,
 * joined by " … ". The text is HTML-escaped and every matched word wrapped in <mark>…</mark>, so
 * a document's own markup never reaches a UI as live HTML.
 *
 * Only words that begin like a query term are stemmed (a stem keeps its word's first letters),
 * so a snippet costs one regular-expression scan of the passage.
 */
export function buildSnippet(
  text: string,
  terms: ReadonlySet<string> | SnippetMatcher,
  opts = SNIPPET_DEFAULTS,
): string {
  const matcher = terms instanceof SnippetMatcher ? terms : new SnippetMatcher(terms);
  const matches = matcher.find(text);
  const w = opts.fragmentChars;
  if (!matches.length) return fragment(text, 0, w, matches);
  const windows = matches.map((m) => {
    const from = Math.max(0, m.start - Math.floor(w / 4));
    const seen = new Set<string>();
    let hits = 0;
    for (const x of matches) {
      if (x.start >= from && x.end <= from + w) {
        seen.add(x.term);
        hits++;
      }
    }
    return { from, score: seen.size * 1000 + hits };
  });
  const chosen: number[] = [];
  for (const win of windows.sort((a, b) => b.score - a.score || a.from - b.from)) {
    if (chosen.length >= opts.maxFragments) break;
    if (chosen.every((f) => Math.abs(f - win.from) >= w)) chosen.push(win.from);
  }
  return chosen
    .sort((a, b) => a - b)
    .map((from) => fragment(text, from, w, matches))
    .join(' … ');
}

const isWordCode = (() => {
  const table = new Uint8Array(65536); // 0 unknown, 1 word character, 2 separator
  return (code: number): boolean => {
    if (code < 128)
      return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
    if (!table[code]) table[code] = WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 2;
    return table[code] === 1;
  };
})();
// A word's first three character codes hashed into a 16-bit slot (a filter: collisions only cost a stem).
const headSlot = (a: number, b: number, c: number) =>
  (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ c) >>> 16;

/**
 * Finds a query's terms in passages. A stem keeps its word's first letters, so only words whose
 * first one to three letters begin some query term are stemmed; the scan itself allocates nothing
 * for the other words.
 */
export class SnippetMatcher {
  private readonly heads = new Uint8Array(65536);
  private readonly empty: boolean;

  constructor(readonly terms: ReadonlySet<string>) {
    for (const t of terms) {
      const h = t.slice(0, 3);
      this.heads[headSlot(h.charCodeAt(0) || 0, h.charCodeAt(1) || 0, h.charCodeAt(2) || 0)] = 1;
    }
    this.empty = terms.size === 0;
  }

  find(text: string): Match[] {
    const out: Match[] = [];
    if (this.empty) return out;
    const heads = this.heads;
    const lower = text.toLowerCase();
    const subject = lower.length === text.length ? lower : text;
    const n = subject.length;
    let i = 0;
    while (i < n) {
      if (!isWordCode(subject.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && isWordCode(subject.charCodeAt(i))) i++;
      const len = i - start;
      const a = subject.charCodeAt(start);
      const b = len > 1 ? subject.charCodeAt(start + 1) : 0;
      const c = len > 2 ? subject.charCodeAt(start + 2) : 0;
      if (!heads[headSlot(a, b, c)] && !heads[headSlot(a, b, 0)] && !heads[headSlot(a, 0, 0)]) continue;
      const word = subject.slice(start, i).toLowerCase();
      if (len > MAX_WORD_LENGTH || STOP_WORDS.has(word)) continue;
      const term = stemWord(word);
      if (this.terms.has(term)) out.push({ start, end: i, term });
    }
    return out;
  }
}

/** The text around [from, from + width), cut at word boundaries, escaped, matches marked. */
function fragment(text: string, from: number, width: number, matches: Match[]): string {
  let start = from;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  let end = Math.min(text.length, start + width);
  while (end < text.length && WORD_CHAR.test(text[end])) end++;
  // Keep punctuation that closes the last word (a period, a bracket).
  const tail = /^[^\p{L}\p{N}\s]{0,2}/u.exec(text.slice(end))?.[0] ?? '';
  end += tail.length;
  let out = '';
  let pos = start;
  for (const m of matches) {
    if (m.start < start || m.end > end) continue;
    out += escapeHtml(text.slice(pos, m.start)) + `<mark>${escapeHtml(text.slice(m.start, m.end))}</mark>`;
    pos = m.end;
  }
  out += escapeHtml(text.slice(pos, end));
  return out.replace(/\s+/g, ' ').trim();
}
