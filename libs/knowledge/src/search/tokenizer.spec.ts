import { TermIdTable, terms } from './tokenizer';

describe('TermIdTable', () => {
  const vocabulary = new Map<string, number>();
  const idOf = (term: string) => {
    let id = vocabulary.get(term);
    if (id === undefined) vocabulary.set(term, (id = vocabulary.size));
    return id;
  };
  const viaTable = (table: TermIdTable, text: string) => {
    const out: number[] = [];
    table.append(text, out);
    const names = [...vocabulary.keys()];
    return out.map((id) => names[id]);
  };

  it('gives the terms of terms(), in order, for ASCII and other text', () => {
    const table = new TermIdTable(idOf);
    const texts = [
      'The Quick brown FOX jumps over the lazy dog, and the dogs were running.',
      'Configure SSO: SAML 2.0 / OIDC — set up (step 3) in the Admin panel; e-mail OK.',
      `A ${'x'.repeat(61)} word and ${'y'.repeat(60)} one`,
      'Café déjà vu: naïve İstanbul 東京 tests',
      '',
      '  ...  ',
      'running RUNNING Running runs',
    ];
    for (const text of texts) expect(viaTable(table, text)).toEqual(terms(text));
  });

  it('stays right while its table grows, and after it fills up and starts over', () => {
    const table = new TermIdTable(idOf);
    const words = Array.from({ length: 150_000 }, (_, i) => `w${i.toString(36)}x`);
    const text = words.join(' ');
    expect(viaTable(table, text)).toEqual(terms(text));
    expect(viaTable(table, text.toUpperCase())).toEqual(terms(text));
  });
});
