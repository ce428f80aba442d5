import { chunkMarkdown } from './chunking';

const para = (n: number, word = 'lorem') => Array.from({ length: n }, () => word).join(' ') + '.';

describe('chunkMarkdown', () => {
  it('returns one empty chunk for an empty body', () => {
    expect(chunkMarkdown('')).toEqual([{ ordinal: 0, heading: null, content: '' }]);
  });

  it('splits at level 1-3 headings and keeps the heading with its passage', () => {
    const body =
      'Intro text.\n\n# Install\n\nRun it.\n\n## Configure\n\nSet it.\n\n#### Deep\n\nStill configure.';
    const chunks = chunkMarkdown(body);
    expect(chunks.map((c) => c.heading)).toEqual([null, 'Install', 'Configure']);
    expect(chunks[1].content).toBe('Install\n\nRun it.');
    expect(chunks[2].content).toContain('#### Deep');
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1, 2]);
  });

  it('ignores # lines inside code fences', () => {
    const chunks = chunkMarkdown('# Shell\n\n```sh\n# not a heading\nls\n```\n\nAfter.');
    expect(chunks).toHaveLength(1);
    expect(chunks[0].content).toContain('# not a heading');
  });

  it('splits long sections at paragraph boundaries within the size limit', () => {
    const body = ['# Long', ...Array.from({ length: 10 }, () => para(60))].join('\n\n');
    const chunks = chunkMarkdown(body);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.heading).toBe('Long');
      expect(c.content.length).toBeLessThanOrEqual(1200 + 'Long\n\n'.length);
      expect(c.content.startsWith('Long\n\n')).toBe(true);
    }
    const words = chunks.map((c) => c.content.replace(/^Long\n\n/, '')).join('\n\n');
    expect(words.split(/\s+/)).toHaveLength(600);
  });

  it('cuts a single huge paragraph at sentences, then words', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const chunks = chunkMarkdown(sentences + ' ' + 'x'.repeat(3000));
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c.content.length).toBeLessThanOrEqual(1200);
    expect(chunks[0].content.endsWith('.')).toBe(true);
  });

  it('merges a short tail into the previous passage', () => {
    const body = [para(150), para(150), 'Short tail.'].join('\n\n');
    const chunks = chunkMarkdown(body);
    expect(chunks[chunks.length - 1].content.endsWith('Short tail.')).toBe(true);
    expect(chunks.every((c) => c.content !== 'Short tail.')).toBe(true);
  });
});
