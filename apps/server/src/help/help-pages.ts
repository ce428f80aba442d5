import { escapeHtml } from './article-html';

export interface ArticleLink {
  slug: string;
  title: string;
  collection: string | null;
  updatedAt: string;
}

const STYLE = `
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2330;margin:0;background:#f7f8fa}
header,main,footer{max-width:46rem;margin:0 auto;padding:1rem 1.25rem}
header{display:flex;gap:1rem;align-items:center;justify-content:space-between;flex-wrap:wrap}
header a.home{font-weight:700;color:inherit;text-decoration:none}
main{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
a{color:#2457c5} mark{background:#fff2a8} pre{background:#f1f3f7;padding:.75rem;overflow:auto;border-radius:6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em} img{max-width:100%}
table{border-collapse:collapse} th,td{border:1px solid #dde1e8;padding:.25rem .5rem}
.muted{color:#5c6373;font-size:.9rem} ul.articles{padding-left:1.1rem} .result{margin:0 0 1.25rem}
input[type=search]{padding:.4rem .6rem;border:1px solid #c6ccd8;border-radius:6px;min-width:14rem}
button{padding:.4rem .8rem;border-radius:6px;border:1px solid #2457c5;background:#2457c5;color:#fff}`;

/** The page shell: no script, styles inline (the CSP allows nothing else). */
export function page(title: string, body: string, query = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Help center</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<a class="home" href="/help/">Help center</a>
<form method="get" action="/help/search" role="search">
<label for="q" class="muted">Search</label>
<input id="q" type="search" name="q" value="${escapeHtml(query)}" maxlength="500">
<button type="submit">Search</button>
</form>
</header>
<main>
${body}
</main>
<footer class="muted">Context Desk help center</footer>
</body>
</html>`;
}

export const articleHref = (slug: string): string => `/help/${encodeURIComponent(slug)}`;

export function indexPage(articles: ArticleLink[], nextCursor: string | null): string {
  if (!articles.length)
    return page('Help center', '<h1>Help center</h1><p>No articles are published yet.</p>');
  const groups = new Map<string, ArticleLink[]>();
  for (const a of articles) {
    const key = a.collection ?? '';
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const sections = [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(
      ([collection, items]) =>
        `<section><h2>${escapeHtml(collection || 'Articles')}</h2><ul class="articles">${items
          .map((a) => `<li><a href="${articleHref(a.slug)}">${escapeHtml(a.title)}</a></li>`)
          .join('')}</ul></section>`,
    )
    .join('\n');
  const more = nextCursor
    ? `<p><a rel="next" href="/help/?cursor=${encodeURIComponent(nextCursor)}">More articles</a></p>`
    : '';
  return page('Help center', `<h1>Help center</h1>\n${sections}\n${more}`);
}

export function articlePage(a: ArticleLink & { html: string; tags: string[] }): string {
  const tags = a.tags.length ? ` · ${a.tags.map(escapeHtml).join(', ')}` : '';
  return page(
    a.title,
    `<article>
<h1>${escapeHtml(a.title)}</h1>
<p class="muted">${a.collection ? `${escapeHtml(a.collection)} · ` : ''}Updated <time datetime="${escapeHtml(a.updatedAt)}">${escapeHtml(a.updatedAt.slice(0, 10))}</time>${tags}</p>
${a.html}
</article>`,
  );
}

export function searchPage(
  query: string,
  results: { slug: string; title: string; snippetHtml: string }[],
  nextCursor: string | null,
): string {
  const list = results.length
    ? results
        .map(
          (r) =>
            `<div class="result"><a href="${articleHref(r.slug)}"><strong>${escapeHtml(r.title)}</strong></a><div>${r.snippetHtml}</div></div>`,
        )
        .join('\n')
    : `<p>No articles match “${escapeHtml(query)}”.</p>`;
  const more = nextCursor
    ? `<p><a rel="next" href="/help/search?q=${encodeURIComponent(query)}&amp;cursor=${encodeURIComponent(nextCursor)}">More results</a></p>`
    : '';
  return page(`Search: ${query}`, `<h1>Results for “${escapeHtml(query)}”</h1>\n${list}\n${more}`, query);
}

export function notFoundPage(): string {
  return page(
    'Not found',
    '<h1>Article not found</h1><p>This article does not exist or is not published. <a href="/help/">Browse the help center</a>.</p>',
  );
}

export function errorPage(message: string): string {
  return page('Bad request', `<h1>Bad request</h1><p>${escapeHtml(message)}</p>`);
}
