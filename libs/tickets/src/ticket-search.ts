/**
 * How a free-text ticket query is read. Plain words are OR-ed (a ticket matching more of them
 * ranks higher); a query using web-search syntax (quotes, `-word`, `or`) is handed to
 * `websearch_to_tsquery` as written. `#123` or `123` also matches ticket number 123, and the whole
 * query matches titles by substring (ILIKE) so partial words and codes still find something.
 * `#123` alone means that ticket only.
 */
export interface TicketQuery {
  /** tsquery text for to_tsquery (OR of words) or websearch_to_tsquery (raw), or null when no word. */
  tsquery: { kind: 'or' | 'websearch'; text: string } | null;
  number: number | null;
  /** ILIKE pattern, with %, _ and \ escaped; null for `#123`. */
  like: string | null;
}

const WEBSEARCH_SYNTAX = /"|(^|\s)-\S|\sor\s/i;
const MAX_TERMS = 32;

export function parseTicketQuery(raw: string): TicketQuery | null {
  const q = raw.trim().slice(0, 500);
  if (!q) return null;
  const hashNumber = /^#(\d{1,9})$/.exec(q);
  if (hashNumber) return { tsquery: null, number: Number(hashNumber[1]), like: null };
  const words = [...new Set((q.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase()))].slice(
    0,
    MAX_TERMS,
  );
  const tsquery = !words.length
    ? null
    : WEBSEARCH_SYNTAX.test(q)
      ? { kind: 'websearch' as const, text: q }
      : { kind: 'or' as const, text: words.join(' | ') };
  const num = /^(\d{1,9})$/.exec(q);
  return {
    tsquery,
    number: num ? Number(num[1]) : null,
    like: `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  };
}
