import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import type { Macro } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField, TextField } from '../../ui/Field';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState, ErrorState, InlineError, Loading } from '../../ui/States';
import { useToast } from '../../ui/Toast';
import '../work.css';

/** The placeholders the server fills in (libs/tickets MACRO_PLACEHOLDERS). */
export const PLACEHOLDERS = [
  'requester.name',
  'requester.firstName',
  'requester.email',
  'ticket.number',
  'ticket.title',
  'ticket.status',
  'ticket.priority',
  'agent.name',
  'agent.email',
];

/** Saved replies (macros): the team's reply templates, inserted from a ticket's reply box. */
export function MacrosPage() {
  const toast = useToast();
  const macros = useAsync(() => api.listMacros(), []);
  const [editing, setEditing] = useState<Macro | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Macro | null>(null);
  const items = macros.data?.items ?? [];

  const remove = async (m: Macro) => {
    try {
      await api.deleteMacro(m.id);
      toast.success(`Deleted “${m.name}”`);
      macros.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <>
      <PageHeader
        title="Saved replies"
        description="Reply templates for the whole team. Placeholders are filled in for the ticket when inserted."
        actions={
          <Button variant="primary" onClick={() => setEditing('new')}>
            New saved reply
          </Button>
        }
      />
      <Card flush>
        {macros.error ? (
          <ErrorState error={macros.error} onRetry={macros.reload} title="Couldn’t load saved replies" />
        ) : !macros.data ? (
          <Loading label="Loading saved replies…" />
        ) : items.length === 0 ? (
          <EmptyState title="No saved replies yet">
            Save the answers you type again and again, with placeholders such as {'{{requester.firstName}}'}.
          </EmptyState>
        ) : (
          <ul className="macro-list" aria-busy={macros.loading}>
            {items.map((m) => (
              <li key={m.id} data-testid="macro">
                <div className="row">
                  <h2 className="subheading">{m.name}</h2>
                  <span className="spacer" />
                  <Button size="sm" onClick={() => setEditing(m)}>
                    Edit<span className="sr-only"> {m.name}</span>
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setDeleting(m)}>
                    Delete<span className="sr-only"> {m.name}</span>
                  </Button>
                </div>
                <pre>{m.body}</pre>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <MacroDialog
        macro={editing}
        onClose={() => setEditing(null)}
        onSaved={(m, created) => {
          setEditing(null);
          toast.success(created ? `Saved “${m.name}”` : `Updated “${m.name}”`);
          macros.reload();
        }}
      />
      <Dialog
        open={!!deleting}
        title={`Delete “${deleting?.name ?? ''}”?`}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>Cancel</Button>
            <Button variant="danger" onClick={() => deleting && void remove(deleting)}>
              Delete saved reply
            </Button>
          </>
        }
      >
        <p>Agents will no longer be able to insert it.</p>
      </Dialog>
    </>
  );
}

function MacroDialog({
  macro,
  onClose,
  onSaved,
}: {
  macro: Macro | 'new' | null;
  onClose: () => void;
  onSaved: (m: Macro, created: boolean) => void;
}) {
  const existing = macro && macro !== 'new' ? macro : null;
  const key = existing ? `${existing.id}:${existing.version}` : String(macro);
  return (
    <Dialog open={!!macro} title={existing ? 'Edit saved reply' : 'New saved reply'} onClose={onClose} wide>
      {macro && <MacroForm key={key} existing={existing} onSaved={onSaved} onCancel={onClose} />}
    </Dialog>
  );
}

function MacroForm({
  existing,
  onSaved,
  onCancel,
}: {
  existing: Macro | null;
  onSaved: (m: Macro, created: boolean) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(existing?.name ?? '');
  const [body, setBody] = useState(existing?.body ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = existing
        ? await api.updateMacro(existing.id, existing.version, { name, body })
        : await api.createMacro({ name, body });
      onSaved(saved, !existing);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409 && existing
          ? new Error('Someone else changed this saved reply. Close and open it again to see their version.')
          : err,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit}>
      <InlineError error={error} />
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={80}
      />
      <TextAreaField
        label="Reply text"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={8}
        required
        hint={`Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}`}
      />
      <div className="row">
        <span className="spacer" />
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button variant="primary" type="submit" loading={busy}>
          {existing ? 'Save changes' : 'Save reply'}
        </Button>
      </div>
    </form>
  );
}
