import { parseTicketQuery } from './ticket-search';

describe('parseTicketQuery', () => {
  it('ORs plain words', () => {
    expect(parseTicketQuery('  Reset my password  ')).toEqual({
      tsquery: { kind: 'or', text: 'reset | my | password' },
      number: null,
      like: '%Reset my password%',
    });
  });

  it('keeps web-search syntax as written', () => {
    expect(parseTicketQuery('"reset password" -sso')?.tsquery).toEqual({
      kind: 'websearch',
      text: '"reset password" -sso',
    });
    expect(parseTicketQuery('login or sso')?.tsquery?.kind).toBe('websearch');
  });

  it('reads ticket numbers', () => {
    expect(parseTicketQuery('#42')).toEqual({ tsquery: null, number: 42, like: null });
    expect(parseTicketQuery('42')?.number).toBe(42);
    expect(parseTicketQuery('42 printers')?.number).toBeNull();
  });

  it('escapes LIKE wildcards and drops punctuation-only queries from full text', () => {
    const q = parseTicketQuery('100%_\\');
    expect(q?.like).toBe('%100\\%\\_\\\\%');
    expect(parseTicketQuery('%%%')?.tsquery).toBeNull();
    expect(parseTicketQuery('   ')).toBeNull();
  });
});
