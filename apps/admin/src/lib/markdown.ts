import DOMPurify, { type Config, type WindowLike } from 'dompurify';
import { Marked, type Tokens } from 'marked';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Links and images may point only to http:, https:, mailto: or a relative URL. DOMPurify tests
 * this against the attribute value after the HTML parser decoded its entities and after removing
 * whitespace, so `java&#115;cript:`, `javascript&colon;` and `jav&#x09;ascript:` are all refused.
 * Relative: starts with no scheme letters at all (`/`, `#`, `?`, `.`), or has no `:` before the
 * first `/`, `?` or `#`.
 */
export const ALLOWED_URI = /^(?:(?:https?|mailto):|[^a-z]|[a-z0-9+.-]*(?:[^a-z0-9+.\-:]|$))/i;

const PURIFY: Config = {
  USE_PROFILES: { html: true },
  ALLOWED_URI_REGEXP: ALLOWED_URI,
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

/** Raw HTML in a document body is shown as text; the renderer's own output is then sanitized. */
const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
  },
});

/** A renderer bound to a DOM (the browser's window, or jsdom's in tests). */
export function createMarkdownRenderer(win: WindowLike): (source: string) => string {
  const purify = DOMPurify(win);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  return (source) => purify.sanitize(markdown.parse(source, { async: false }) as string, PURIFY) as string;
}

let render: ((source: string) => string) | undefined;

/** Markdown of an untrusted document body as sanitized HTML. */
export function renderMarkdown(source: string): string {
  render ??= createMarkdownRenderer(globalThis as unknown as WindowLike);
  return render(source);
}
