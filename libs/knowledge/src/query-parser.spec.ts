import { parseQuery } from './query-parser';

describe('parseQuery', () => {
  it('keeps plain keywords and questions as ranked text', () => {
    expect(parseQuery('How do I reset my password?')).toEqual({
      text: 'How do I reset my password?',
      required: null,
      excluded: null,
    });
  });

  it('extracts quoted phrases as required and keeps their words for ranking', () => {
    expect(parseQuery('billing "credit card" refund')).toEqual({
      text: 'billing credit card refund',
      required: '"credit card"',
      excluded: null,
    });
  });

  it('turns -word and -"phrase" into exclusions', () => {
    expect(parseQuery('export -csv -"google sheets" data')).toEqual({
      text: 'export data',
      required: null,
      excluded: 'csv or "google sheets"',
    });
  });

  it('tolerates an unterminated quote, a lone dash and hyphenated words', () => {
    expect(parseQuery('"two factor')).toEqual({
      text: 'two factor',
      required: '"two factor"',
      excluded: null,
    });
    expect(parseQuery('- e-mail')).toEqual({ text: '- e-mail', required: null, excluded: null });
  });
});
