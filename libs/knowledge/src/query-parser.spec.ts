import { parseQuery } from './query-parser';

const none = { phrases: [], excludedWords: [], excludedPhrases: [] };

describe('parseQuery', () => {
  it('keeps plain keywords and questions as ranked text', () => {
    expect(parseQuery('How do I reset my password?')).toEqual({
      ...none,
      text: 'How do I reset my password?',
      prefix: null,
    });
  });

  it('extracts quoted phrases as required and keeps their words for ranking', () => {
    expect(parseQuery('billing "credit card" refund ')).toEqual({
      ...none,
      text: 'billing credit card refund',
      phrases: ['credit card'],
      prefix: null,
    });
  });

  it('turns -word and -"phrase" into exclusions', () => {
    expect(parseQuery('export -csv -"google sheets" data')).toMatchObject({
      text: 'export data',
      phrases: [],
      excludedWords: ['csv'],
      excludedPhrases: ['google sheets'],
    });
  });

  it('tolerates an unterminated quote, a lone dash and hyphenated words', () => {
    expect(parseQuery('"two factor')).toEqual({
      ...none,
      text: 'two factor',
      phrases: ['two factor'],
      prefix: null,
    });
    expect(parseQuery('- e-mail')).toEqual({ ...none, text: '- e-mail', prefix: 'mail' });
  });

  it('marks the last word as a prefix only while it is being typed', () => {
    expect(parseQuery('reset pass').prefix).toBe('pass');
    expect(parseQuery('reset pass ').prefix).toBeNull();
    expect(parseQuery('reset pass.').prefix).toBeNull();
    expect(parseQuery('reset -pass').prefix).toBeNull();
    expect(parseQuery('"reset pass"').prefix).toBeNull();
  });
});
