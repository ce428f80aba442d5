/**
 * What people and agents type: keywords, whole questions, and web-search syntax.
 * - `text`: every positive word (phrase words included); its lexemes are OR-ed and ranked by BM25.
 * - `required`: quoted phrases; a hit's passage must contain each (websearch_to_tsquery input).
 * - `excluded`: `-word` / `-"a phrase"`; a document containing any of them is dropped.
 */
export interface ParsedQuery {
  text: string;
  required: string | null;
  excluded: string | null;
}

const TOKEN = /(-?)"([^"]*)"?|(\S+)/g;

export function parseQuery(input: string): ParsedQuery {
  const positive: string[] = [];
  const phrases: string[] = [];
  const negated: string[] = [];
  for (const m of input.matchAll(TOKEN)) {
    if (m[2] !== undefined) {
      const phrase = m[2].replace(/["\\]/g, ' ').trim();
      if (!phrase) continue;
      if (m[1]) negated.push(`"${phrase}"`);
      else {
        phrases.push(`"${phrase}"`);
        positive.push(phrase);
      }
    } else {
      const word = m[3];
      if (word.length > 1 && word.startsWith('-')) negated.push(word.slice(1).replace(/^-+/, ''));
      else positive.push(word);
    }
  }
  const neg = negated.filter(Boolean);
  return {
    text: positive.join(' '),
    required: phrases.length ? phrases.join(' ') : null,
    excluded: neg.length ? neg.join(' or ') : null,
  };
}
