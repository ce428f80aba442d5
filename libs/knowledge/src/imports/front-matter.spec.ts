import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRONT_MATTER_LIMITS, splitFrontMatter } from './front-matter';
import { parseMarkdownFiles } from './import-parser';

const fixtures = join(__dirname, '../../../../test/fixtures/security/imports');
const fixture = (name: string) => ({ name, text: readFileSync(join(fixtures, name), 'utf8') });
const g = globalThis as { __contextDeskPwned?: unknown };

describe('Markdown import front matter', () => {
  afterEach(() => delete g.__contextDeskPwned);

  it('parses YAML front matter into the document fields', async () => {
    const r = await parseMarkdownFiles([fixture('valid.md')]);
    expect(r.rejected).toEqual([]);
    expect(r.documents).toEqual([
      {
        slug: 'safe-import',
        title: 'A safe import',
        tags: ['security', 'yaml'],
        collection: 'guides',
        status: 'published',
        body: 'The body stays **Markdown**.\n',
      },
    ]);
  });

  it.each([
    ['js-engine.md', 'js'],
    ['javascript-engine.md', 'javascript'],
    ['coffee-engine.md', 'coffee'],
  ])('refuses the %s fence without running it', async (file, lang) => {
    const r = await parseMarkdownFiles([fixture(file)]);
    expect(g.__contextDeskPwned).toBeUndefined();
    expect(r.documents).toEqual([]);
    expect(r.rejected).toEqual([
      { item: file, reason: `front matter language "${lang}" is not supported (YAML only)` },
    ]);
  });

  it('refuses custom tags such as !!js/function', async () => {
    const r = await parseMarkdownFiles([fixture('js-function-tag.md')]);
    expect(g.__contextDeskPwned).toBeUndefined();
    expect(r.rejected).toEqual([
      {
        item: 'js-function-tag.md',
        reason: expect.stringMatching(/^front matter is not valid YAML: .*tag/i),
      },
    ]);
  });

  it('stops an alias bomb, deep nesting and oversized front matter, and keeps the other files', async () => {
    const r = await parseMarkdownFiles([
      fixture('alias-bomb.md'),
      fixture('deep-nesting.md'),
      fixture('oversized-front-matter.md'),
      fixture('valid.md'),
    ]);
    expect(r.documents.map((d) => d.slug)).toEqual(['safe-import']);
    expect(r.rejected).toEqual([
      { item: 'alias-bomb.md', reason: expect.stringMatching(/alias count/i) },
      {
        item: 'deep-nesting.md',
        reason: `front matter nests deeper than ${FRONT_MATTER_LIMITS.maxDepth} levels`,
      },
      {
        item: 'oversized-front-matter.md',
        reason: `front matter is larger than ${FRONT_MATTER_LIMITS.maxBytes} bytes`,
      },
    ]);
  });

  it('refuses front matter that is not a mapping, and duplicate keys', async () => {
    const r = await parseMarkdownFiles([
      { name: 'list.md', text: '---\n- a\n- b\n---\nx' },
      { name: 'dup.md', text: '---\ntitle: a\ntitle: b\n---\nx' },
    ]);
    expect(r.rejected).toEqual([
      { item: 'list.md', reason: 'front matter must be a YAML mapping (key: value lines)' },
      { item: 'dup.md', reason: expect.stringMatching(/^front matter is not valid YAML: .*unique/i) },
    ]);
  });

  it('treats text without a closing fence, and plain Markdown, as body', async () => {
    expect(splitFrontMatter('---\nno closing fence')).toEqual({ yaml: null, body: '---\nno closing fence' });
    expect(splitFrontMatter('---yml\na: 1\n---\nbody')).toEqual({ yaml: 'a: 1\n', body: 'body' });
    expect(splitFrontMatter('---\r\na: 1\r\n--- \t\r\nbody\r\n')).toEqual({
      yaml: 'a: 1\r\n',
      body: 'body\r\n',
    });
    expect(splitFrontMatter('---\n---\nbody')).toEqual({ yaml: '', body: 'body' });
    expect(splitFrontMatter('---\na: 1\n---')).toEqual({ yaml: 'a: 1\n', body: '' });
    // Not fences: `----`, `--- x`, a fence after a lone \r, two \r.
    expect(splitFrontMatter('---\na: 1\n----\n--- x\nb\r---\n---\r\r\n').yaml).toBeNull();
    // A 2 MiB file of short lines without a closing fence is all body.
    const big = '---\n' + '- \n'.repeat(690_000);
    expect(splitFrontMatter(big)).toEqual({ yaml: null, body: big });
    const r = await parseMarkdownFiles([{ name: 'notes/hello-world.md', text: '# Hello\n\nText' }]);
    expect(r.documents).toEqual([{ slug: 'hello-world', title: 'Hello', body: 'Text' }]);
  });
});
