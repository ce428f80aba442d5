import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { formatRelative } from '../../lib/format';
import { renderSnippet } from '../../lib/snippet';
import { DOCUMENT_STATUSES } from '../../lib/types';
import { useCursorPages } from '../../lib/useCursorPages';
import { useSearchFilters } from '../../lib/useSearchFilters';
import { DocumentStatusBadge, Tags } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { SelectField, TextField, toOptions } from '../../ui/Field';
import { PageHeader } from '../../ui/PageHeader';
import { Pagination } from '../../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../../ui/States';
import { Table } from '../../ui/Table';
import '../work.css';

const FILTER_KEYS = ['q', 'status', 'tag', 'collection'] as const;
const TEXT_KEYS = ['q', 'tag', 'collection'] as const;
const PAGE_SIZE = 25;

export function DocumentsPage() {
  const { can } = useAuth();
  const navigate = useNavigate();
  const filters = useSearchFilters(FILTER_KEYS, TEXT_KEYS);
  const { applied } = filters;
  const list = useCursorPages(
    (cursor) => api.listDocuments({ ...applied, limit: PAGE_SIZE, cursor }),
    filters.key,
  );
  const searching = !!applied.q;
  const filtered = FILTER_KEYS.some((k) => applied[k]);

  return (
    <>
      <PageHeader
        title="Documents"
        description="Knowledge-base articles that agents search and cite."
        actions={
          can('kb:write') && (
            <Button variant="primary" onClick={() => navigate('/documents/new')}>
              New document
            </Button>
          )
        }
      />
      <Card flush>
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <TextField
            label="Search documents"
            type="search"
            placeholder="Search titles and content…"
            value={filters.draft.q}
            onChange={(e) => filters.set('q', e.target.value)}
            fieldClassName="grow"
          />
          <SelectField
            label="Status"
            value={filters.draft.status}
            onChange={(e) => filters.set('status', e.target.value)}
            options={[{ value: '', label: 'Any status' }, ...toOptions(DOCUMENT_STATUSES)]}
          />
          <TextField
            label="Tag"
            value={filters.draft.tag}
            onChange={(e) => filters.set('tag', e.target.value)}
          />
          <TextField
            label="Collection"
            value={filters.draft.collection}
            onChange={(e) => filters.set('collection', e.target.value)}
          />
        </form>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load documents" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading documents…" />
        ) : list.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No matching documents">
              Try a different search or clear the filters.
            </EmptyState>
          ) : (
            <EmptyState
              title="No documents yet"
              action={
                can('kb:write') && (
                  <Button variant="primary" onClick={() => navigate('/documents/new')}>
                    Write the first article
                  </Button>
                )
              }
            >
              Articles you write or import appear here.
            </EmptyState>
          )
        ) : (
          <div aria-busy={list.loading}>
            <Table
              caption={searching ? `Search results for ${applied.q}` : 'Documents'}
              testId="documents-table"
            >
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Status</th>
                  <th className="hide-sm">Tags</th>
                  <th className="hide-sm">Collection</th>
                  <th className="hide-sm num">Version</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((doc) => (
                  <tr key={doc.id}>
                    <td>
                      <Link className="row-link" to={`/documents/${doc.id}`}>
                        {doc.title || doc.slug}
                      </Link>
                      <div className="sub mono">{doc.slug}</div>
                      {doc.snippet && <div className="snippet">{renderSnippet(doc.snippet)}</div>}
                    </td>
                    <td>
                      <DocumentStatusBadge status={doc.status} />
                    </td>
                    <td className="hide-sm">
                      <Tags tags={doc.tags ?? []} />
                    </td>
                    <td className="hide-sm">{doc.collection || <span className="muted">—</span>}</td>
                    <td className="hide-sm num">{doc.version}</td>
                    <td className="nowrap" title={doc.updatedAt}>
                      {formatRelative(doc.updatedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        {(list.hasPrevious || list.hasNext || list.items.length > 0) && (
          <Pagination list={list} noun={list.items.length === 1 ? 'document' : 'documents'} />
        )}
      </Card>
    </>
  );
}
