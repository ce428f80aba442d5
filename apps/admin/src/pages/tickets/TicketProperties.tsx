import { useState } from 'react';
import { formatDateTime } from '../../lib/format';
import { useAuth } from '../../lib/auth';
import {
  CHANNEL_LABELS,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type Ticket,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
} from '../../lib/types';
import type { TicketChanges } from '../../lib/api';
import { useStaff } from '../../lib/useStaff';
import { Tags } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { DateTimeField, SelectField, toOptions } from '../../ui/Field';
import { SlaCell } from './TicketsPage';

interface Props {
  ticket: Ticket;
  onChange: (changes: TicketChanges) => Promise<void>;
  /** The ticket is being reloaded: its version may be stale, so no edits until it arrives. */
  stale?: boolean;
}

export function TicketProperties({ ticket, onChange, stale = false }: Props) {
  const { can, me } = useAuth();
  const { staff } = useStaff();
  const [saving, setSaving] = useState(false);
  const busy = saving || stale;
  const canWrite = can('tickets:write');

  const change = async (changes: TicketChanges) => {
    setSaving(true);
    try {
      await onChange(changes);
    } finally {
      setSaving(false);
    }
  };

  const assigneeLabel = ticket.assignee?.name || ticket.assignee?.email;
  const assigneeOptions = [
    { value: '', label: 'Unassigned' },
    ...staff.map((u) => ({
      value: u.id,
      label: u.id === me?.id ? `${u.name || u.email} (me)` : u.name || u.email,
    })),
  ];
  if (ticket.assigneeId && !staff.some((u) => u.id === ticket.assigneeId)) {
    assigneeOptions.push({ value: ticket.assigneeId, label: assigneeLabel || 'Current assignee' });
  }

  return (
    <Card title="Details" aria-busy={busy}>
      <div className="stack">
        <SelectField
          label="Status"
          value={ticket.status}
          options={toOptions(TICKET_STATUSES)}
          disabled={!canWrite || busy}
          onChange={(e) => void change({ status: e.target.value as TicketStatus })}
        />
        <SelectField
          label="Priority"
          value={ticket.priority}
          options={toOptions(TICKET_PRIORITIES)}
          disabled={!canWrite || busy}
          onChange={(e) => void change({ priority: e.target.value as TicketPriority })}
        />
        <SelectField
          label="Channel"
          value={ticket.channel}
          options={toOptions(TICKET_CHANNELS, CHANNEL_LABELS)}
          disabled={!canWrite || busy}
          onChange={(e) => void change({ channel: e.target.value as TicketChannel })}
        />
        <DateTimeField
          label="Due by"
          hint="Promised to the customer"
          value={ticket.dueAt}
          commit="blur"
          disabled={!canWrite || busy}
          onValue={(dueAt) => void change({ dueAt })}
        />
        {staff.length > 0 ? (
          <SelectField
            label="Assignee"
            value={ticket.assigneeId ?? ''}
            options={assigneeOptions}
            disabled={!canWrite || busy}
            onChange={(e) => void change({ assigneeId: e.target.value || null })}
          />
        ) : (
          <div className="field">
            <span className="field-label">Assignee</span>
            <span>{assigneeLabel || <span className="muted">Unassigned</span>}</span>
          </div>
        )}
        {canWrite && me && ticket.assigneeId !== me.id && (
          <Button size="sm" onClick={() => void change({ assigneeId: me.id })} disabled={busy}>
            Assign to me
          </Button>
        )}
        <div className="props">
          <dl>
            <dt>Requester</dt>
            <dd>
              {ticket.requester ? `${ticket.requester.name || ''} ${ticket.requester.email}`.trim() : '—'}
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(ticket.createdAt)}</dd>
            <dt>First reply</dt>
            <dd>{formatDateTime(ticket.firstResponseAt)}</dd>
            <dt>SLA</dt>
            <dd>
              <SlaCell ticket={ticket} />
            </dd>
            <dt>Tags</dt>
            <dd>
              <Tags tags={ticket.tags ?? []} />
            </dd>
            <dt>Version</dt>
            <dd>{ticket.version}</dd>
          </dl>
        </div>
      </div>
    </Card>
  );
}
