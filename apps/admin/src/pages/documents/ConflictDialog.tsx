import type { DocumentInput } from '../../lib/api';
import type { KbDocument } from '../../lib/types';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { InlineError } from '../../ui/States';
import { LineDiff } from './VersionHistory';

interface ConflictDialogProps {
  open: boolean;
  /** The version the user started editing from. */
  base: KbDocument;
  /** What the other person saved (null while it could not be loaded). */
  theirs: KbDocument | null;
  loadError?: unknown;
  /** What Overwrite would save. */
  mine: DocumentInput;
  busy: boolean;
  onReload: () => void;
  onOverwrite: () => void;
  onCancel: () => void;
}

const FIELDS = [
  { key: 'title', label: 'Title', text: (d: Partial<KbDocument>) => d.title ?? '' },
  { key: 'status', label: 'Status', text: (d: Partial<KbDocument>) => d.status ?? '' },
  { key: 'collection', label: 'Collection', text: (d: Partial<KbDocument>) => d.collection || '—' },
  { key: 'tags', label: 'Tags', text: (d: Partial<KbDocument>) => (d.tags ?? []).join(', ') || '—' },
] as const;

/** Their changes, field by field, against the version both people started from. */
function TheirChanges({ base, theirs }: { base: KbDocument; theirs: KbDocument }) {
  const fields = FIELDS.filter((f) => f.text(base) !== f.text(theirs));
  const bodyChanged = base.body !== theirs.body;
  if (!fields.length && !bodyChanged)
    return <p className="flush muted">They saved without changing any field.</p>;
  return (
    <div className="stack-sm" data-testid="their-changes">
      {fields.length > 0 && (
        <dl className="conflict-fields">
          {fields.map((f) => (
            <div key={f.key}>
              <dt>{f.label}</dt>
              <dd>
                <del>{f.text(base)}</del> → <ins>{f.text(theirs)}</ins>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {bodyChanged && (
        <>
          <h3 className="subheading">Body</h3>
          <LineDiff from={base.body} to={theirs.body} />
        </>
      )}
    </div>
  );
}

export function ConflictDialog({
  open,
  base,
  theirs,
  loadError,
  mine,
  busy,
  onReload,
  onOverwrite,
  onCancel,
}: ConflictDialogProps) {
  const theirVersion = theirs ? `version ${theirs.version}` : 'a newer version';
  const mineAsDoc: Partial<KbDocument> = { ...mine, collection: mine.collection ?? null };
  const overwritten = theirs ? FIELDS.filter((f) => f.text(theirs) !== f.text(mineAsDoc)) : [];
  return (
    <Dialog
      open={open}
      title="Someone else changed this document"
      onClose={onCancel}
      dismissible={!busy}
      wide
      testId="conflict-dialog"
      footer={
        <>
          <Button onClick={onCancel} disabled={busy}>
            Keep editing
          </Button>
          <Button onClick={onReload} disabled={busy}>
            Reload theirs
          </Button>
          <Button variant="danger" onClick={onOverwrite} loading={busy}>
            Overwrite
          </Button>
        </>
      }
    >
      <div className="stack-sm">
        <p className="flush">
          {theirs?.authorId ? 'Another editor' : 'Someone'} saved <strong>{theirVersion}</strong> while you
          were editing version {base.version}. Their changes:
        </p>
        {theirs ? <TheirChanges base={base} theirs={theirs} /> : <InlineError error={loadError} />}
        <ul className="flush-list">
          <li>
            <strong>Reload theirs</strong> discards your edits and loads {theirVersion}.
          </li>
          <li>
            <strong>Overwrite</strong> saves everything on your screen (title, status, collection, tags and
            body) on top of {theirVersion}
            {overwritten.length > 0 && (
              <> — replacing their {overwritten.map((f) => f.label.toLowerCase()).join(', ')}</>
            )}
            ; their version stays in the history.
          </li>
        </ul>
      </div>
    </Dialog>
  );
}
