import { Link } from 'react-router-dom';
import { api } from '../../lib/api';
import { renderSnippet } from '../../lib/snippet';
import { useAsync } from '../../lib/useAsync';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import type { KbDocument } from '../../lib/types';

/** The article's public help-center page (the search hit's url when the server gives one). */
const articleUrl = (doc: KbDocument & { url?: string | null }) =>
  doc.url || `${window.location.origin}/help/${encodeURIComponent(doc.slug)}`;
import { EmptyState, ErrorState, Loading } from '../../ui/States';

/** Search snippets can carry Markdown markers (`**bold**`, `# `); show plain words. */
const plainSnippet = (s: string) => s.replace(/\*\*|__|`+|^#+\s*/gm, '');

export function RelatedArticles({ query, onInsert }: { query: string; onInsert?: (text: string) => void }) {
  // Only published articles: a customer cannot open a draft, so agents should not cite one.
  const result = useAsync(() => api.listDocuments({ q: query, limit: 5, status: 'published' }), [query]);
  const published = (result.data?.items ?? []).filter((d) => d.status === 'published');
  return (
    <Card title="Related articles" flush data-testid="related-articles">
      {result.error ? (
        <ErrorState error={result.error} onRetry={result.reload} title="Search failed" />
      ) : result.loading ? (
        <Loading label="Searching the knowledge base…" />
      ) : !published.length ? (
        <EmptyState title="No related articles">
          Nothing in the knowledge base matches this ticket’s title.
        </EmptyState>
      ) : (
        <ul className="related-list">
          {published.map((doc) => (
            <li key={doc.id}>
              <Link to={`/documents/${doc.id}`}>{doc.title}</Link>
              {doc.snippet && <div className="muted">{renderSnippet(plainSnippet(doc.snippet))}</div>}
              {onInsert && (
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Insert link to ${doc.title}`}
                  onClick={() => onInsert(`[${doc.title}](${articleUrl(doc)})`)}
                >
                  Insert link
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
