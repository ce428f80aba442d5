import { Link } from 'react-router-dom';
import { api } from '../../lib/api';
import { renderSnippet } from '../../lib/snippet';
import { useAsync } from '../../lib/useAsync';
import { Card } from '../../ui/Card';
import { EmptyState, ErrorState, Loading } from '../../ui/States';

export function RelatedArticles({ query }: { query: string }) {
  const result = useAsync(() => api.listDocuments({ q: query, limit: 5 }), [query]);
  return (
    <Card title="Related articles" flush data-testid="related-articles">
      {result.error ? (
        <ErrorState error={result.error} onRetry={result.reload} title="Search failed" />
      ) : result.loading ? (
        <Loading label="Searching the knowledge base…" />
      ) : !result.data?.items.length ? (
        <EmptyState title="No related articles">
          Nothing in the knowledge base matches this ticket’s title.
        </EmptyState>
      ) : (
        <ul className="related-list">
          {result.data.items.map((doc) => (
            <li key={doc.id}>
              <Link to={`/documents/${doc.id}`}>{doc.title}</Link>
              {doc.snippet && <div className="muted">{renderSnippet(doc.snippet)}</div>}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
