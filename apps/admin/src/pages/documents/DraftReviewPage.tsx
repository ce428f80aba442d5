import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, errorMessage } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { formatRelative } from '../../lib/format';
import type { DocumentDraft, KbDocument } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { useCursorPages } from '../../lib/useCursorPages';
import { Tags } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { PageHeader } from '../../ui/PageHeader';
import { Pagination } from '../../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../../ui/States';
import { Table } from '../../ui/Table';
import { useToast } from '../../ui/Toast';
import { LineDiff } from './VersionHistory';
import '../work.css';

const PAGE_SIZE = 25;

const articleText = (d: Pick<KbDocument, 'title' | 'tags' | 'body'>) =>
  `# ${d.title}\ntags: ${(d.tags ?? []).join(', ')}\n\n${d.body ?? ''}`;

/**
 * The review queue (MCP_REVIEW_ROLES): edits agents made to published articles wait here. A
 * reviewer sees each next to the article as it is now, then publishes it as the next version or
 * discards it. Reading needs kb:read; publishing and discarding need admin (as on the API).
 */
export function DraftReviewPage() {
  const { can } = useAuth();
  const [reloadKey, setReloadKey] = useState(0);
  const list = useCursorPages((cursor) => api.listDrafts({ limit: PAGE_SIZE, cursor }), String(reloadKey));
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title="Drafts to review"
        description="Edits agents made to published articles. Nothing here is live until it is published."
      />
      <Card flush>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load drafts" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading drafts…" />
        ) : list.items.length === 0 ? (
          <EmptyState title="Nothing to review">
            Edits that need a review (see MCP_REVIEW_ROLES) appear here.
          </EmptyState>
        ) : (
          <Table caption="Drafts waiting for review" testId="drafts-table">
            <thead>
              <tr>
                <th>Article</th>
                <th className="hide-sm">Tags</th>
                <th className="num">Based on</th>
                <th>Submitted</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link className="row-link" to={`/documents/${d.documentId}`}>
                      {d.title || d.slug}
                    </Link>
                    <div className="sub mono">{d.slug}</div>
                  </td>
                  <td className="hide-sm">
                    <Tags tags={d.tags ?? []} />
                  </td>
                  <td className="num">v{d.baseVersion}</td>
                  <td className="nowrap" title={d.createdAt}>
                    {formatRelative(d.createdAt)}
                  </td>
                  <td>
                    <Button
                      size="sm"
                      onClick={() => setOpenId(openId === d.id ? null : d.id)}
                      aria-expanded={openId === d.id}
                      aria-label={`Review the draft of ${d.title || d.slug}`}
                    >
                      {openId === d.id ? 'Close' : 'Review'}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {(list.hasPrevious || list.hasNext) && (
          <Pagination list={list} noun={list.items.length === 1 ? 'draft' : 'drafts'} />
        )}
      </Card>
      {openId && (
        <DraftReview
          key={openId}
          draftId={openId}
          canDecide={can('admin')}
          onDone={() => {
            setOpenId(null);
            setReloadKey((k) => k + 1);
          }}
        />
      )}
    </>
  );
}

function DraftReview({
  draftId,
  canDecide,
  onDone,
}: {
  draftId: string;
  canDecide: boolean;
  onDone: () => void;
}) {
  const toast = useToast();
  const loaded = useAsync(async () => {
    const draft: DocumentDraft = await api.getDraft(draftId);
    const current = await api.getDocument(draft.documentId);
    return { draft, current };
  }, [draftId]);
  const [busy, setBusy] = useState<'publish' | 'discard' | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading label="Loading the draft…" />;
  const { draft, current } = loaded.data;
  const stale = current.version !== draft.baseVersion;

  const decide = async (action: 'publish' | 'discard') => {
    setBusy(action);
    setError(null);
    try {
      if (action === 'publish') {
        const doc = await api.publishDraft(draft.id, current.version);
        toast.success(`Published as version ${doc.version}`);
      } else {
        await api.discardDraft(draft.id);
        toast.success('Draft discarded');
      }
      onDone();
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 409
          ? 'The article changed while you were reviewing. Reload to compare with its current text.'
          : errorMessage(e),
      );
      if (e instanceof ApiError && e.status === 409) loaded.reload();
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      title={`Draft of “${draft.title}”`}
      data-testid="draft-review"
      style={{ marginTop: 16 }}
      actions={
        canDecide && (
          <>
            <Button onClick={() => decide('discard')} loading={busy === 'discard'} disabled={!!busy}>
              Discard
            </Button>
            <Button
              variant="primary"
              onClick={() => decide('publish')}
              loading={busy === 'publish'}
              disabled={!!busy}
            >
              Publish
            </Button>
          </>
        )
      }
    >
      <div className="stack-sm">
        <p className="muted small" style={{ margin: 0 }}>
          Based on version {draft.baseVersion}; the article is at version {current.version}
          {stale ? ' (it changed since: the differences below include those changes)' : ''}.
          {!canDecide && ' Only an admin can publish or discard it.'}
        </p>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <LineDiff from={articleText(current)} to={articleText(draft)} />
      </div>
    </Card>
  );
}
