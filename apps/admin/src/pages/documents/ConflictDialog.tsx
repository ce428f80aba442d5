import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';

interface ConflictDialogProps {
  open: boolean;
  baseVersion: number;
  currentVersion: number | null;
  busy: boolean;
  onReload: () => void;
  onOverwrite: () => void;
  onCancel: () => void;
}

export function ConflictDialog({
  open,
  baseVersion,
  currentVersion,
  busy,
  onReload,
  onOverwrite,
  onCancel,
}: ConflictDialogProps) {
  const theirs = currentVersion ?? 'a newer version';
  return (
    <Dialog
      open={open}
      title="Someone else changed this document"
      onClose={onCancel}
      dismissible={!busy}
      testId="conflict-dialog"
      footer={
        <>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button onClick={onReload} disabled={busy}>
            Reload
          </Button>
          <Button variant="danger" onClick={onOverwrite} loading={busy}>
            Overwrite
          </Button>
        </>
      }
    >
      <div className="stack-sm">
        <p style={{ margin: 0 }}>
          Someone else saved <strong>version {theirs}</strong> while you were editing version {baseVersion}.
        </p>
        <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
          <li>
            <strong>Reload</strong> discards your changes and loads their version.
          </li>
          <li>
            <strong>Overwrite</strong> saves your text on top of version {theirs}; their changes stay in the
            version history.
          </li>
        </ul>
      </div>
    </Dialog>
  );
}
