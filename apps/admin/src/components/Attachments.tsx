import { useRef, useState } from 'react';
import { api, errorMessage, type AttachmentTarget } from '../lib/api';
import type { Attachment } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { ErrorState, InlineError, Loading } from '../ui/States';
import { useToast } from '../ui/Toast';

const MAX_BYTES = 10 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Saves a downloaded file under its (server-sanitized) name. */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Files on a ticket or a document: list, download, attach (up to 10 MB), remove. */
export function Attachments({ target, canWrite }: { target: AttachmentTarget; canWrite: boolean }) {
  const toast = useToast();
  const key = target.kind === 'ticket' ? `t${target.number}` : `d${target.id}`;
  const list = useAsync(() => api.listAttachments(target), [key]);
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const items = list.data?.items ?? [];

  const upload = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    setError(null);
    if (file.size > MAX_BYTES) {
      setError(new Error(`${file.name} is ${formatBytes(file.size)}; files can be at most 10 MB.`));
      return;
    }
    setBusy(true);
    try {
      const saved = await api.uploadAttachment(target, file);
      toast.success(`Attached ${saved.filename}`);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const download = async (a: Attachment) => {
    try {
      saveBlob(await api.downloadAttachment(a), a.filename);
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  const remove = async (a: Attachment) => {
    try {
      await api.deleteAttachment(a);
      toast.success(`Removed ${a.filename}`);
      list.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  return (
    <Card title="Attachments" data-testid="attachments">
      <div className="stack-sm">
        <InlineError error={error} />
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load attachments" />
        ) : !list.data ? (
          <Loading label="Loading attachments…" />
        ) : items.length === 0 ? (
          <p className="flush muted small">No files attached.</p>
        ) : (
          <ul className="attachments">
            {items.map((a) => (
              <li key={a.id}>
                <Button size="sm" variant="ghost" onClick={() => void download(a)}>
                  <span className="sr-only">Download </span>
                  {a.filename}
                </Button>
                <span className="muted">{formatBytes(a.size)}</span>
                {canWrite && (
                  <Button size="sm" variant="ghost" onClick={() => void remove(a)}>
                    Remove<span className="sr-only"> {a.filename}</span>
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {canWrite && (
          <label className="btn btn-sm attach-button">
            {busy ? 'Uploading…' : 'Attach a file'}
            <input
              ref={input}
              type="file"
              className="sr-only"
              disabled={busy}
              onChange={(e) => void upload(e.target.files)}
            />
          </label>
        )}
      </div>
    </Card>
  );
}
