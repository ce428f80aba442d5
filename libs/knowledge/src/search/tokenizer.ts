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
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (word.length > MAX_WORD_LENGTH || STOP_WORDS.has(word)) continue;
    out.push(stemWord(word));
  }
  return out;
}
