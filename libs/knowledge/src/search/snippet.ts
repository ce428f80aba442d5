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
 * Only words that begin like a query term are looked at (see SnippetMatcher), and the best
 * windows are found in one pass over the matches.
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
  // Per match, the window starting a quarter width before it, scored by the distinct terms and
  // the matches it holds. Matches are in text order and do not overlap, so a window's matches are
  // a run [lo, hi) and both ends only move forward.
  const termNo = new Map<string, number>();
  const no = matches.map((m) => {
    let k = termNo.get(m.term);
    if (k === undefined) termNo.set(m.term, (k = termNo.size));
    return k;
  });
  const inWindow = new Int32Array(termNo.size);
  let distinct = 0;
  let lo = 0;
  let hi = 0;
  const windows = matches.map((m) => {
    const from = Math.max(0, m.start - Math.floor(w / 4));
    for (; hi < matches.length && matches[hi].end <= from + w; hi++) if (inWindow[no[hi]]++ === 0) distinct++;
    for (; lo < hi && matches[lo].start < from; lo++) if (--inWindow[no[lo]] === 0) distinct--;
    return { from, score: distinct * 1000 + (hi - lo) };
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
/** ASCII letters and digits. */
const ASCII_WORD = new Uint8Array(128).map((_, c) =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ? 1 : 0,
);
const isWord = (c: number) => (c < 128 ? ASCII_WORD[c] === 1 : isWordCode(c));

/**
 * Finds a query's terms in passages. A stem keeps its word's first letters (Porter2 changes a
 * word's end: only a three-letter stem such as "tri" from "try" differs in its third), so only
 * the words that begin like some term can match: those are found with indexOf in the
 * lower-cased passage (native string search, no per-character loop in JavaScript), and only
 * they are stemmed.
 */
export class SnippetMatcher {
  /** The terms' first three letters (two for a term of up to three), none a prefix of another. */
  private readonly heads: string[];

  constructor(readonly terms: ReadonlySet<string>) {
    const heads = [...new Set([...terms].map((t) => t.slice(0, t.length > 3 ? 3 : 2)))].filter(Boolean);
    // A shorter head finds every word a longer one it begins would.
    this.heads = heads.filter((h) => !heads.some((o) => o.length < h.length && h.startsWith(o)));
  }

  find(text: string): Match[] {
    const out: Match[] = [];
    if (!this.heads.length) return out;
    const lower = text.toLowerCase();
    // Lower-casing changed the length (a rare letter such as İ): word by word instead.
    if (lower.length !== text.length) return this.scan(text);
    const n = lower.length;
    for (const head of this.heads) {
      for (let p = lower.indexOf(head); p >= 0; p = lower.indexOf(head, p + 1)) {
        if (p > 0 && isWord(lower.charCodeAt(p - 1))) continue;
        let end = p + head.length;
        while (end < n && isWord(lower.charCodeAt(end))) end++;
        this.match(lower, p, end, out, true);
      }
    }
    return this.heads.length > 1 ? out.sort((a, b) => a.start - b.start) : out;
  }

  /** Every word of the text, in order (for text whose lower-casing changes its length). */
  private scan(text: string): Match[] {
    const out: Match[] = [];
    const n = text.length;
    for (let i = 0; i < n;) {
      if (!isWord(text.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && isWord(text.charCodeAt(i))) i++;
      this.match(text, start, i, out);
    }
    return out;
  }

  private match(text: string, start: number, end: number, out: Match[], lowerCased = false): void {
    if (end - start > MAX_WORD_LENGTH) return;
    const word = lowerCased ? text.slice(start, end) : text.slice(start, end).toLowerCase();
    if (STOP_WORDS.has(word)) return;
    const term = stemWord(word);
    if (this.terms.has(term)) out.push({ start, end, term });
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
