import { useState } from 'react';
import { api, errorMessage, type TicketChanges } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { TICKET_STATUSES, type Ticket, type TicketStatus } from '../../lib/types';
import { useStaff } from '../../lib/useStaff';
import { Button } from '../../ui/Button';
import { SelectField, toOptions } from '../../ui/Field';

export interface BulkFailure {
  number: number;
  title: string;
  reason: string;
}

/**
 * Runs `changes` on each ticket with the version the list showed (If-Match), a few at a time.
 * A ticket someone changed meanwhile, or a move the workflow refuses, is reported, not retried.
 */
async function applyToEach(tickets: Ticket[], changes: TicketChanges): Promise<BulkFailure[]> {
  const failures: BulkFailure[] = [];
  const queue = [...tickets];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      try {
        await api.updateTicket(t.number, t.version, changes);
      } catch (err) {
        failures.push({ number: t.number, title: t.title, reason: errorMessage(err) });
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return failures.sort((a, b) => a.number - b.number);
}

/** The bar over a ticket list with a selection: change status and assignee of all of them. */
export function BulkActions({
  selected,
  onDone,
  onClear,
}: {
  selected: Ticket[];
  /** After a run: the tickets that failed stay selected. */
  onDone: (failures: BulkFailure[]) => void;
  onClear: () => void;
}) {
  const { me } = useAuth();
  const { staff } = useStaff();
  const [status, setStatus] = useState('');
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ done: number; failures: BulkFailure[] } | null>(null);
  const n = selected.length;

  const apply = async () => {
    const changes: TicketChanges = {};
    if (status) changes.status = status as TicketStatus;
    if (assignee) changes.assigneeId = assignee === 'none' ? null : assignee === 'me' ? me!.id : assignee;
    if (!Object.keys(changes).length) return;
    setBusy(true);
    setResult(null);
    const failures = await applyToEach(selected, changes);
    setBusy(false);
    setResult({ done: n - failures.length, failures });
    setStatus('');
    setAssignee('');
    onDone(failures);
  };

  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-actions">
      {n > 0 && (
        <div className="bulk-controls">
          <strong>{n} selected</strong>
          <SelectField
            label="Set status"
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            options={[{ value: '', label: 'Keep status' }, ...toOptions(TICKET_STATUSES)]}
          />
          <SelectField
            label="Assign to"
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
            options={[
              { value: '', label: 'Keep assignee' },
              ...(me ? [{ value: 'me', label: 'Me' }] : []),
              { value: 'none', label: 'Unassigned' },
              ...staff.filter((u) => u.id !== me?.id).map((u) => ({ value: u.id, label: u.name || u.email })),
            ]}
          />
          <Button variant="primary" onClick={apply} loading={busy} disabled={!status && !assignee}>
            Apply to {n} {n === 1 ? 'ticket' : 'tickets'}
          </Button>
          <Button variant="ghost" onClick={onClear} disabled={busy}>
            Clear selection
          </Button>
        </div>
      )}
      {result && (
        <div
          className={result.failures.length ? 'inline-error' : 'notice'}
          role={result.failures.length ? 'alert' : 'status'}
          data-testid="bulk-result"
        >
          <p>
            {result.done} updated
            {result.failures.length > 0 && `, ${result.failures.length} failed (still selected)`}.
          </p>
          {result.failures.length > 0 && (
            <ul>
              {result.failures.map((f) => (
                <li key={f.number}>
                  #{f.number} {f.title}: {f.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
