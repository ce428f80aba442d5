import { Marked, type Tokens } from 'marked';
import { createElement, Fragment, type ReactNode } from 'react';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const SAFE_URL = /^(https?:|mailto:|#|\/|\.{0,2}\/|[^:/?#]+(?:[/?#]|$))/i;

function isSafeUrl(href: string): boolean {
  const trimmed = href.trim();
  return SAFE_URL.test(trimmed) && !/^\s*(javascript|vbscript|data):/i.test(trimmed);
}

/**
 * Markdown renderer for untrusted document bodies: raw HTML is shown as text, and links or
 * images with script-capable URLs are reduced to their text.
 */
const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      if (isSafeUrl(token.href)) return false;
      return this.parser.parseInline(token.tokens);
    },
    image(token: Tokens.Image) {
      if (isSafeUrl(token.href)) return false;
      return escapeHtml(token.text);
    },
  },
});

export function renderMarkdown(source: string): string {
  return markdown.parse(source, { async: false }) as string;
}

/**
 * Turns a search snippet (HTML with <mark> around matches) into React nodes, keeping only the
 * <mark> elements and the text. Parsed by DOMParser into an inert document; nothing is executed.
 */
export function renderSnippet(snippet: string): ReactNode {
  const doc = new DOMParser().parseFromString(`<body>${snippet}</body>`, 'text/html');
  const out: ReactNode[] = [];
  const walk = (parent: Node) => {
    parent.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) out.push(node.textContent ?? '');
      else if (node.nodeType === Node.ELEMENT_NODE && (node as Element).tagName === 'MARK')
        out.push(createElement('mark', { key: out.length }, node.textContent ?? ''));
      else if (node.nodeType === Node.ELEMENT_NODE) walk(node);
    });
  };
  walk(doc.body);
  return createElement(Fragment, null, ...out);
}
