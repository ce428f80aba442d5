import { parseResourceUri } from './resources';
import { nulPath, readableIssues } from './strict-server';

describe('MCP input checks', () => {
  it('finds NUL characters in strings and keys, with their path', () => {
    expect(nulPath({ title: 'ok', tags: ['a', 'b\u0000'] })).toBe('tags.1');
    expect(nulPath({ nested: { 'k\u0000': 1 } })).toBe('nested.k\u0000');
    expect(nulPath('x\u0000')).toBe('');
    expect(nulPath({ title: 'ok', n: 1, none: null, list: [{ a: 'b' }] })).toBeNull();
  });

  it('turns the SDK schema failure into one readable line', () => {
    const zod = JSON.stringify(
      [{ code: 'invalid_type', path: ['params', 'uri'], message: 'Invalid input: expected string' }],
      null,
      2,
    );
    expect(readableIssues(zod)).toBe('params.uri: Invalid input: expected string');
    expect(readableIssues('plain\nsecond line')).toBe('plain');
  });

  it('refuses resource keys that decode to control characters', () => {
    expect(parseResourceUri('kb://documents/%00')).toBeNull();
    expect(parseResourceUri('kb://documents/a%0Ab')).toBeNull();
    expect(parseResourceUri('kb://users/\u0000')).toBeNull();
    expect(parseResourceUri('kb://documents/a%20b')).toEqual({ kind: 'documents', key: 'a b' });
  });
});
