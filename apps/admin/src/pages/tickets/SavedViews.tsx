import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import type { TicketView, TicketViewQuery } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { Button } from '../../ui/Button';
import { Checkbox, SelectField, TextField } from '../../ui/Field';
import { FormDialog } from '../../ui/FormDialog';
import { useToast } from '../../ui/Toast';

/** The view's query with empty values dropped, in a stable key order (for comparing). */
export const normalizeQuery = (q: Record<string, string | undefined>): TicketViewQuery =>
  Object.fromEntries(
    Object.entries(q)
      .filter(([, v]) => v)
      .sort(([a], [b]) => a.localeCompare(b)),
  ) as TicketViewQuery;

const sameQuery = (a: Record<string, string | undefined>, b: Record<string, string | undefined>) =>
  JSON.stringify(normalizeQuery(a)) === JSON.stringify(normalizeQuery(b));

/**
 * Saved views of the ticket list: stored on the server (they follow the user), opened from the
 * URL (`?view=<id>`; the URL also carries the filters, so it can be shared as it is).
 */
export function SavedViews({
  viewId,
  query,
  onOpen,
}: {
  /** The view named in the URL, if any. */
  viewId: string;
  /** The list's current query (filters and sort). */
  query: Record<string, string>;
  /** Apply a view's query (and name it in the URL); null clears the view. */
  onOpen: (view: TicketView | null) => void;
}) {
  const toast = useToast();
  const views = useAsync(() => api.listTicketViews(), []);
  const [saving, setSaving] = useState(false);
  const [busy, setBusy] = useState(false);
  const items = views.data?.items ?? [];
  const current = items.find((v) => v.id === viewId) ?? null;

  // Opened from a URL that names a view but carries no filters: apply the stored query.
  const bare = Object.values(query).every((v) => !v);
  useEffect(() => {
    if (!viewId || !bare) return;
    let live = true;
    api
      .getTicketView(viewId)
      .then((v) => live && Object.keys(normalizeQuery(v.query)).length > 0 && onOpen(v))
      .catch((err) => live && toast.error(`Couldn’t open the saved view: ${errorMessage(err)}`));
    return () => {
      live = false;
    };
    // Only when the URL names a (new) view, not on every filter change.
  }, [viewId]);

  const modified = !!current && !sameQuery(current.query, query);

  const update = async () => {
    if (!current) return;
    setBusy(true);
    try {
      await api.updateTicketView(current.id, current.version, { query: normalizeQuery(query) });
      toast.success(`Saved view “${current.name}” updated`);
      views.reload();
    } catch (err) {
      toast.error(errorMessage(err));
      views.reload();
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!current) return;
    setBusy(true);
    try {
      await api.deleteTicketView(current.id);
      toast.success(`Deleted view “${current.name}”`);
      onOpen(null);
      views.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="views-bar" data-testid="saved-views">
      <SelectField
        label="Saved view"
        value={current ? current.id : ''}
        onChange={(e) => onOpen(items.find((v) => v.id === e.target.value) ?? null)}
        options={[
          { value: '', label: views.loading && !views.data ? 'Loading views…' : 'All tickets' },
          ...items.map((v) => ({
            value: v.id,
            label: v.mine ? v.name : `${v.name} (shared by ${v.owner?.name || v.owner?.email || 'someone'})`,
          })),
        ]}
      />
      {modified && <span className="small muted">Filters changed</span>}
      {modified && current.mine && (
        <Button size="sm" onClick={update} loading={busy}>
          Update view
        </Button>
      )}
      <Button size="sm" onClick={() => setSaving(true)}>
        Save view
      </Button>
      {current?.mine && (
        <Button size="sm" variant="ghost" onClick={remove} disabled={busy}>
          Delete view
        </Button>
      )}
      <SaveViewDialog
        open={saving}
        query={query}
        onClose={() => setSaving(false)}
        onSaved={(v) => {
          setSaving(false);
          toast.success(`Saved view “${v.name}”`);
          views.reload();
          onOpen(v);
        }}
      />
    </div>
  );
}

function SaveViewDialog({
  open,
  query,
  onClose,
  onSaved,
}: {
  open: boolean;
  query: Record<string, string>;
  onClose: () => void;
  onSaved: (v: TicketView) => void;
}) {
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const submit = async () => {
    const view = await api.createTicketView({ name, shared, query: normalizeQuery(query) });
    setName('');
    setShared(false);
    onSaved(view);
  };

  return (
    <FormDialog open={open} title="Save view" onClose={onClose} submitLabel="Save view" onSubmit={submit}>
      <TextField
        label="View name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={80}
        data-autofocus
      />
      <Checkbox label="Share with the team" checked={shared} onChange={(e) => setShared(e.target.checked)} />
      <p className="small muted">
        Saves the current filters and sort. Views follow you to any browser; the page address opens the view
        for anyone you send it to.
      </p>
    </FormDialog>
  );
}
