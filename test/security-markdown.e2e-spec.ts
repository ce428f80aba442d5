import { JSDOM } from 'jsdom';
import { createMarkdownRenderer } from '../apps/admin/src/lib/markdown';
import { renderArticleHtml } from '../apps/server/src/help/article-html';
import payloads from './fixtures/security/markdown-xss.json';

// The admin's Markdown preview (apps/admin/src/lib/markdown.ts), rendered into a real DOM.
const { window } = new JSDOM('<!doctype html><html><body></body></html>');
const render = createMarkdownRenderer(window as unknown as Parameters<typeof createMarkdownRenderer>[0]);

function dom(markdown: string, renderer: (md: string) => string = render) {
  const div = window.document.createElement('div');
  div.innerHTML = renderer(markdown);
  return div;
}

/** Every URL-bearing attribute and every event handler left in the rendered HTML. */
function dangerous(div: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of Array.from(div.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (['href', 'src', 'xlink:href', 'action', 'formaction'].includes(name)) {
        if (!/^(https?:|mailto:|[^a-z]|[a-z0-9+.-]*([^a-z0-9+.\-:]|$))/.test(value))
          found.push(`${el.tagName} ${name}=${attr.value}`);
      }
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE'].includes(el.tagName)) found.push(el.tagName);
  }
  return found;
}

describe('security: admin Markdown preview (issue 9 item 2)', () => {
  it.each(payloads.scriptLinks)('renders %j without a script URL', (md) => {
    const div = dom(md);
    expect(dangerous(div)).toEqual([]);
    for (const a of Array.from(div.querySelectorAll('a'))) {
      const href = a.getAttribute('href');
      if (href !== null) expect(href).toMatch(/^(https?:|mailto:|\/|#|\.)/);
    }
  });

  it.each(payloads.rawHtml)('renders raw HTML %j inert', (md) => {
    const div = dom(md);
    expect(dangerous(div)).toEqual([]);
  });

  it.each(Object.entries(payloads.safeLinks))('keeps the safe link %j', (md, href) => {
    const a = dom(md).querySelector('a');
    expect(a?.getAttribute('href')).toBe(href);
    expect(a?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  });

  it('still renders ordinary Markdown', () => {
    const div = dom(
      '# Title\n\n**bold** and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![logo](/admin/logo.png)',
    );
    expect(div.querySelector('h1')?.textContent).toBe('Title');
    expect(div.querySelector('strong')?.textContent).toBe('bold');
    expect(div.querySelector('table td')?.textContent).toBe('1');
    expect(div.querySelector('img')?.getAttribute('src')).toBe('/admin/logo.png');
  });
});

// The public help center's renderer (apps/server/src/help/article-html.ts: marked + sanitize-html),
// a separate code path serving published articles to anonymous readers: the same payloads.
describe('security: help center article HTML (issue 9 item 2)', () => {
  const article = (md: string) => dom(md, renderArticleHtml);

  it.each(payloads.scriptLinks)('renders %j without a script URL', (md) => {
    const div = article(md);
    expect(dangerous(div)).toEqual([]);
    for (const el of Array.from(div.querySelectorAll('a, img'))) {
      const url = el.getAttribute('href') ?? el.getAttribute('src');
      if (url !== null) expect(url).toMatch(/^(https?:|mailto:|\/|#|\.)/);
    }
  });

  it.each(payloads.rawHtml)('renders raw HTML %j inert', (md) => {
    expect(dangerous(article(md))).toEqual([]);
  });

  it.each(Object.entries(payloads.safeLinks))('keeps the safe link %j', (md, href) => {
    const a = article(md).querySelector('a');
    expect(a?.getAttribute('href')).toBe(href);
    expect(a?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  });
});
