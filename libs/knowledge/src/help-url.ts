/** The public help-center page of a published article (contract 3a), for citations. */
export const helpArticleUrl = (publicUrl: string, slug: string): string =>
  `${publicUrl.replace(/\/+$/, '')}/help/${encodeURIComponent(slug)}`;
