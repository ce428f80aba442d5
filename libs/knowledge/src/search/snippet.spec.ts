import { SnippetMatcher, buildSnippet } from './snippet';
import { terms } from './tokenizer';

const marked = (text: string, query: string) =>
  [...buildSnippet(text, new SnippetMatcher(new Set(terms(query)))).matchAll(/<mark>(.*?)<\/mark>/g)].map(
    (m) => m[1],
  );

describe('buildSnippet', () => {
  it('marks every form of a query word (stems), in any case, and not stop words', () => {
    expect(marked('Studies of a CELL. The studied cells; cellar.', 'study cell the')).toEqual([
      'Studies',
      'CELL',
      'studied',
      'cells',
    ]);
  });

  it('finds words that begin outside ASCII, one-letter terms and three-letter stems', () => {
    expect(marked('Le café, vitamin D and Émile; we try it', 'cafe café d émile tried')).toEqual([
      'café',
      'D',
      'Émile',
      'try',
    ]);
  });

  it('matches word by word where lower-casing changes the length (İ)', () => {
    expect(marked('İstanbul cells and İzmir', 'cell')).toEqual(['cells']);
  });

  it('escapes the text and picks the window with the most distinct terms', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(12);
    const text = `alpha <b>x</b> ${filler} alpha beta gamma ${filler}`;
    const s = buildSnippet(text, new Set(terms('alpha beta gamma')), { fragmentChars: 60, maxFragments: 1 });
    expect(s).toContain('<mark>alpha</mark> <mark>beta</mark> <mark>gamma</mark>');
    expect(buildSnippet('<b>alpha</b>', new Set(['alpha']))).toBe('&lt;b&gt;<mark>alpha</mark>&lt;/b&gt;');
  });
});
