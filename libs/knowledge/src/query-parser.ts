/**
 * What people and agents type: keywords, whole questions, and web-search syntax.
 * - `text`: every positive word (phrase words included); its terms are OR-ed and ranked by BM25.
 * - `phrases`: quoted phrases; a hit's passage must contain each.
 * - `excludedWords` / `excludedPhrases`: `-word` / `-"a phrase"`; a document containing any is dropped.
 * - `prefix`: the last word when the query ends inside it (search as you type), else null.
 */
export interface ParsedQuery {
  text: string;
  phrases: string[];
  excludedWords: string[];
  excludedPhrases: string[];
  prefix: string | null;
}

const TOKEN = /(-?)"([^"]*)"?|(\S+)/g;

export function parseQuery(input: string): ParsedQuery {
  const positive: string[] = [];
  const out: ParsedQuery = { text: '', phrases: [], excludedWords: [], excludedPhrases: [], prefix: null };
  let lastPlain: { word: string; end: number } | null = null;
  for (const m of input.matchAll(TOKEN)) {
    lastPlain = null;
    if (m[2] !== undefined) {
      const phrase = m[2].replace(/["\\]/g, ' ').trim();
      if (!phrase) continue;
      if (m[1]) out.excludedPhrases.push(phrase);
      else {
        out.phrases.push(phrase);
        positive.push(phrase);
      }
    } else {
      const word = m[3];
      if (word.length > 1 && word.startsWith('-')) {
        const w = word.replace(/^-+/, '');
        if (w) out.excludedWords.push(w);
      } else {
        positive.push(word);
        lastPlain = { word, end: m.index + word.length };
      }
    }
  }
  out.text = positive.join(' ');
  if (lastPlain && lastPlain.end === input.length && /[\p{L}\p{N}]$/u.test(lastPlain.word)) {
    const w = /[\p{L}\p{N}]+$/u.exec(lastPlain.word)?.[0];
    if (w) out.prefix = w.toLowerCase();
  }
  return out;
}
