/** A passage of a document: the unit that search indexes and returns. */
export interface Chunk {
  ordinal: number;
  /** Nearest heading (#, ## or ###) above the passage; null before the first heading. */
  heading: string | null;
  /** The passage text; starts with its heading so heading words are searchable. */
  content: string;
}

export interface ChunkOptions {
  /** A chunk is closed at a paragraph boundary once it would grow past this. */
  maxChars: number;
  /** A trailing piece shorter than this is merged into the chunk before it. */
  minChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 1200, minChars: 300 };

const HEADING = /^ {0,3}(#{1,3})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

interface Section {
  heading: string | null;
  lines: string[];
}

/** Splits Markdown into sections at level 1–3 headings, ignoring `#` lines inside code fences. */
function sections(body: string): Section[] {
  const out: Section[] = [{ heading: null, lines: [] }];
  let fence: string | null = null;
  for (const line of body.replace(/\r\n?/g, '\n').split('\n')) {
    const f = FENCE.exec(line);
    if (f) fence = fence === null ? f[1] : fence === f[1] ? null : fence;
    const h = fence === null && !f ? HEADING.exec(line) : null;
    if (h) out.push({ heading: h[2].trim(), lines: [] });
    else out[out.length - 1].lines.push(line);
  }
  return out;
}

/** Paragraphs (blank-line separated); a paragraph longer than max is cut at sentences, then words. */
function paragraphs(text: string, max: number): string[] {
  const paras = text
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return paras.flatMap((p) => (p.length <= max ? [p] : splitLong(p, max)));
}

function splitLong(text: string, max: number): string[] {
  const pieces = text.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [text];
  const out: string[] = [];
  let cur = '';
  const push = () => {
    if (cur.trim()) out.push(cur.trim());
    cur = '';
  };
  for (const piece of pieces) {
    if (piece.length > max) {
      push();
      const words = piece.split(/(\s+)/).flatMap((w) => w.match(new RegExp(`[^]{1,${max}}`, 'g')) ?? []);
      for (const word of words) {
        if (cur.length + word.length > max) push();
        cur += word;
      }
      push();
    } else {
      if (cur.length + piece.length > max) push();
      cur += piece;
    }
  }
  push();
  return out;
}

/**
 * Splits a Markdown body into passages: first by headings (#..###), then by length at paragraph
 * boundaries. Always returns at least one chunk, so a document with an empty body is still
 * findable by its title.
 */
export function chunkMarkdown(body: string, opts: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const out: Chunk[] = [];
  for (const s of sections(body)) {
    const paras = paragraphs(s.lines.join('\n'), opts.maxChars);
    if (!paras.length && s.heading === null) continue;
    const groups: string[][] = [];
    let cur: string[] = [];
    let len = 0;
    for (const p of paras) {
      if (cur.length && len + p.length + 2 > opts.maxChars) {
        groups.push(cur);
        cur = [];
        len = 0;
      }
      cur.push(p);
      len += p.length + 2;
    }
    if (cur.length) {
      const last = groups[groups.length - 1];
      const lastLen = last ? last.reduce((n, p) => n + p.length + 2, 0) : 0;
      if (last && len < opts.minChars && lastLen + len <= opts.maxChars + opts.minChars) last.push(...cur);
      else groups.push(cur);
    }
    if (!groups.length) groups.push([]);
    for (const g of groups) {
      const text = g.join('\n\n');
      const content = s.heading ? (text ? `${s.heading}\n\n${text}` : s.heading) : text;
      out.push({ ordinal: out.length, heading: s.heading, content });
    }
  }
  return out.length ? out : [{ ordinal: 0, heading: null, content: '' }];
}
