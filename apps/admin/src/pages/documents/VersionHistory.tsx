import { diffLines } from 'diff';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import type { DocumentVersion } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { DocumentStatusBadge } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Dialog } from '../../ui/Dialog';
import { SelectField } from '../../ui/Field';
import { EmptyState, ErrorState, Loading } from '../../ui/States';

function versionText(v: DocumentVersion): string {
  const meta = [`# ${v.title}`, `status: ${v.status}`, `tags: ${(v.tags ?? []).join(', ')}`, ''];
  return `${meta.join('\n')}\n${v.body ?? ''}`;
}

export function LineDiff({ from, to }: { from: string; to: string }) {
  const parts = useMemo(() => diffLines(from, to), [from, to]);
  const unchanged = parts.every((p) => !p.added && !p.removed);
  if (unchanged) return <p className="muted">These versions are identical.</p>;
  return (
    <pre className="diff" data-testid="version-diff" aria-label="Differences">
      {parts.flatMap((part, i) => {
        const lines = part.value.replace(/\n$/, '').split('\n');
        const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
        const sign = part.added ? '+' : part.removed ? '−' : ' ';
        return lines.map((line, j) => (
          <div key={`${i}-${j}`} className={`diff-line ${kind}`}>
            <span className="sign" aria-hidden="true">
              {sign}
            </span>
            <span>
              {kind !== 'same' && (
                <span className="sr-only">{kind === 'added' ? 'Added: ' : 'Removed: '}</span>
              )}
              {line || ' '}
            </span>
          </div>
        ));
      })}
    </pre>
  );
}

interface VersionHistoryProps {
  documentId: string;
  currentVersion: number;
  canRestore: boolean;
  onRestore: (v: DocumentVersion) => Promise<void>;
}

export function VersionHistory({ documentId, currentVersion, canRestore, onRestore }: VersionHistoryProps) {
  const history = useAsync(() => api.listVersions(documentId), [documentId, currentVersion]);
  const versions = useMemo(
    () => [...(history.data?.items ?? [])].sort((a, b) => b.version - a.version),
    [history.data],
  );
  const [fromV, setFromV] = useState<number | null>(null);
  const [toV, setToV] = useState<number | null>(null);
  const [restoring, setRestoring] = useState<DocumentVersion | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (versions.length) {
      setToV(versions[0].version);
      setFromV(versions[Math.min(1, versions.length - 1)].version);
    }
  }, [versions]);

  const from = versions.find((v) => v.version === fromV);
  const to = versions.find((v) => v.version === toV);
  const options = versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}` }));

  const confirmRestore = async () => {
    if (!restoring) return;
    setBusy(true);
    try {
      await onRestore(restoring);
      setRestoring(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Version history" flush data-testid="version-history">
      {history.error ? (
        <ErrorState error={history.error} onRetry={history.reload} />
      ) : history.loading && !history.data ? (
        <Loading label="Loading versions…" />
      ) : versions.length === 0 ? (
        <EmptyState title="No earlier versions" />
      ) : (
        <>
          <ol className="version-list" aria-label="Versions">
            {versions.map((v) => (
              <li key={v.version}>
                <strong>Version {v.version}</strong>
                {v.version === currentVersion && <span className="badge badge-info">Current</span>}
                <DocumentStatusBadge status={v.status} />
                <span className="muted small truncate" style={{ flex: 1, minWidth: 120 }}>
                  {v.title} · {formatDateTime(v.createdAt)}
                </span>
                {canRestore && v.version !== currentVersion && (
                  <Button
                    size="sm"
                    onClick={() => setRestoring(v)}
                    aria-label={`Restore version ${v.version}`}
                  >
                    Restore
                  </Button>
                )}
              </li>
            ))}
          </ol>
          {versions.length > 1 && (
            <div className="card-body stack-sm">
              <div className="row">
                <SelectField
                  label="Compare version"
                  value={String(fromV ?? '')}
                  onChange={(e) => setFromV(Number(e.target.value))}
                  options={options}
                />
                <SelectField
                  label="with version"
                  value={String(toV ?? '')}
                  onChange={(e) => setToV(Number(e.target.value))}
                  options={options}
                />
              </div>
              {from && to && <LineDiff from={versionText(from)} to={versionText(to)} />}
            </div>
          )}
        </>
      )}
      <Dialog
        open={!!restoring}
        title={`Restore version ${restoring?.version ?? ''}?`}
        onClose={() => setRestoring(null)}
        dismissible={!busy}
        footer={
          <>
            <Button onClick={() => setRestoring(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="primary" onClick={confirmRestore} loading={busy}>
              Restore version
            </Button>
          </>
        }
      >
        <p style={{ margin: 0 }}>
          The title, body, tags and status of version {restoring?.version} will be saved as a new version.
          Nothing is deleted: the current text stays in the history.
        </p>
      </Dialog>
    </Card>
  );
}
