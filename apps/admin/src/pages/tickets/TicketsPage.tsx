import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ConnectionBadge } from '../../components/EventFeed';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { formatDateTime, formatRelative } from '../../lib/format';
import {
  CHANNEL_LABELS,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type Ticket,
  type TicketSort,
  type TicketView,
} from '../../lib/types';
import { useCursorPages } from '../../lib/useCursorPages';
import { useEvents } from '../../lib/useEvents';
import { useShortcuts } from '../../lib/useShortcuts';
import { useSearchFilters } from '../../lib/useSearchFilters';
import { useStaff } from '../../lib/useStaff';
import { Badge, PriorityBadge, TicketStatusBadge } from '../../ui/Badge';
import { Button } from '../../ui/Button';
import { Card } from '../../ui/Card';
import { Dialog } from '../../ui/Dialog';
import { Checkbox, DateTimeField, SelectField, TextField, toOptions, type Option } from '../../ui/Field';
import { PageHeader } from '../../ui/PageHeader';
import { Pagination } from '../../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../../ui/States';
import { Table } from '../../ui/Table';
import { useToast } from '../../ui/Toast';
import { BulkActions } from './BulkActions';
import { NewTicketDialog } from './NewTicketDialog';
import { SavedViews } from './SavedViews';
import '../work.css';

const FILTER_KEYS = [
  'q',
  'status',
  'priority',
  'channel',
  'assigneeId',
  'requesterEmail',
  'tag',
  'dueBefore',
  'sort',
  'order',
] as const;
const TEXT_KEYS = ['q'] as const;

export function SlaCell({ ticket }: { ticket: Ticket }) {
  if (ticket.slaBreachedAt) return <Badge tone="danger">Breached</Badge>;
  if (
    ticket.slaDueAt &&
    !ticket.firstResponseAt &&
    (ticket.status === 'open' || ticket.status === 'pending')
  ) {
    return (
      <span className="small" title={formatDateTime(ticket.slaDueAt)}>
        Due {formatRelative(ticket.slaDueAt)}
      </span>
    );
  }
  return <span className="muted">—</span>;
}

export function TicketsPage() {
  const { can, me } = useAuth();
  const navigate = useNavigate();
  const toast = useToast();
  const { staff } = useStaff();
  const [creating, setCreating] = useState(false);
  const filters = useSearchFilters(FILTER_KEYS, TEXT_KEYS);
  const { applied } = filters;
  const [params] = useSearchParams();
  const viewId = params.get('view') ?? '';
  // A text search ranks by match; a sort applies to the filtered list without one.
  const sorting = !applied.q && !!applied.sort;
  const list = useCursorPages(
    (cursor) =>
      api.listTickets({
        ...applied,
        assigneeId: applied.assigneeId === 'me' ? me?.id : applied.assigneeId,
        sort: sorting ? applied.sort : undefined,
        order: sorting ? applied.order : undefined,
        limit: 25,
        cursor,
      }),
    filters.key,
  );

  const assigneeOptions: Option[] = [
    { value: '', label: 'Anyone' },
    ...(me ? [{ value: 'me', label: 'Me' }] : []),
    { value: 'none', label: 'Unassigned' },
    ...staff.filter((u) => u.id !== me?.id).map((u) => ({ value: u.id, label: u.name || u.email })),
  ];
  const filtered = FILTER_KEYS.some((k) => k !== 'sort' && k !== 'order' && applied[k]);

  const openView = useCallback(
    (view: TicketView | null) => filters.reset(view ? view.query : {}, view ? { view: view.id } : {}),
    [filters],
  );

  // Multi-select for bulk changes: ticket numbers, kept across live reloads, cleared on new filters.
  const [selected, setSelected] = useState<Set<number>>(new Set());
  useEffect(() => setSelected(new Set()), [filters.key]);
  const selectedTickets = useMemo(
    () => list.items.filter((t) => selected.has(t.number)),
    [list.items, selected],
  );
  const toggle = (n: number, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(n);
      else next.delete(n);
      return next;
    });
  const allOnPage = list.items.length > 0 && list.items.every((t) => selected.has(t.number));
  const canWrite = can('tickets:write');

  const sortBy = (key: TicketSort) => {
    const order = applied.sort === key && applied.order !== 'asc' ? 'asc' : 'desc';
    filters.set('sort', key);
    filters.set('order', order);
  };
  const sortHeader = (key: TicketSort, label: string, className?: string) => {
    const active = sorting && applied.sort === key;
    const dir = active ? (applied.order === 'asc' ? 'ascending' : 'descending') : undefined;
    return (
      <th className={className} aria-sort={dir ?? 'none'}>
        <button
          type="button"
          className="sort-button"
          onClick={() => sortBy(key)}
          disabled={!!applied.q}
          title={applied.q ? 'Search results are ordered by best match' : `Sort by ${label.toLowerCase()}`}
        >
          {label}
          <span aria-hidden="true" className="sort-icon">
            {active ? (dir === 'ascending' ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  // Live queue: a ticket created or changed anywhere (REST, MCP, another agent) refreshes the
  // first page within half a second, without a reload.
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { reload, page } = list;
  const onEvent = useCallback(() => {
    if (page !== 1) return;
    clearTimeout(refresh.current);
    refresh.current = setTimeout(reload, 300);
  }, [page, reload]);
  const { status: live } = useEvents({ topics: ['tickets'], onEvent });
  useEffect(() => () => clearTimeout(refresh.current), []);

  // Keyboard: j/k move, Enter opens, / searches, c creates, ? lists the shortcuts.
  const [cursor, setCursor] = useState(-1);
  const [help, setHelp] = useState(false);
  const rows = list.items;
  useEffect(() => setCursor(-1), [filters.key]);
  useShortcuts({
    j: () => setCursor((c) => Math.min(rows.length - 1, c + 1)),
    k: () => setCursor((c) => Math.max(0, c - 1)),
    Enter: () => {
      if (rows[cursor]) navigate(`/tickets/${rows[cursor].number}`);
    },
    x: () => {
      if (rows[cursor] && canWrite) toggle(rows[cursor].number, !selected.has(rows[cursor].number));
    },
    '/': () => document.getElementById('tickets-search')?.focus(),
    c: () => {
      if (can('tickets:write')) setCreating(true);
    },
    '?': () => setHelp(true),
  });
  useEffect(() => {
    if (cursor >= 0) document.querySelector<HTMLElement>(`[data-row-index="${cursor}"] a`)?.focus();
  }, [cursor]);

  return (
    <>
      <PageHeader
        title="Tickets"
        description="Support requests from people and agents."
        actions={
          <>
            <ConnectionBadge status={live} />
            {can('tickets:write') && (
              <Button variant="primary" onClick={() => setCreating(true)}>
                New ticket
              </Button>
            )}
          </>
        }
      />
      <Card flush>
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <TextField
            label="Search tickets"
            id="tickets-search"
            type="search"
            placeholder="Title or description…"
            value={filters.draft.q}
            onChange={(e) => filters.set('q', e.target.value)}
            fieldClassName="grow"
          />
          <SelectField
            label="Status"
            value={filters.draft.status}
            onChange={(e) => filters.set('status', e.target.value)}
            options={[
              { value: '', label: 'Any status' },
              { value: 'open,pending', label: 'Unresolved (open or pending)' },
              ...toOptions(TICKET_STATUSES),
            ]}
          />
          <SelectField
            label="Priority"
            value={filters.draft.priority}
            onChange={(e) => filters.set('priority', e.target.value)}
            options={[{ value: '', label: 'Any priority' }, ...toOptions(TICKET_PRIORITIES)]}
          />
          <SelectField
            label="Channel"
            value={filters.draft.channel}
            onChange={(e) => filters.set('channel', e.target.value)}
            options={[{ value: '', label: 'Any channel' }, ...toOptions(TICKET_CHANNELS, CHANNEL_LABELS)]}
          />
          <SelectField
            label="Assignee"
            value={filters.draft.assigneeId}
            onChange={(e) => filters.set('assigneeId', e.target.value)}
            options={assigneeOptions}
          />
          <DateTimeField
            label="Due before"
            value={filters.draft.dueBefore}
            onValue={(v) => filters.set('dueBefore', v ?? '')}
          />
        </form>
        <SavedViews viewId={viewId} query={applied} onOpen={openView} />
        {canWrite && (
          <BulkActions
            selected={selectedTickets}
            onClear={() => setSelected(new Set())}
            onDone={(failures) => {
              setSelected(new Set(failures.map((f) => f.number)));
              list.reload();
            }}
          />
        )}
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load tickets" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading tickets…" />
        ) : list.items.length === 0 ? (
          <EmptyState title={filtered ? 'No matching tickets' : 'No tickets yet'}>
            {filtered ? 'Try different filters.' : 'New support requests appear here.'}
          </EmptyState>
        ) : (
          <div aria-busy={list.loading}>
            <Table caption="Tickets" testId="tickets-table">
              <thead>
                <tr>
                  {canWrite && (
                    <th className="select-col">
                      <Checkbox
                        label="Select all tickets on this page"
                        hideLabel
                        checked={allOnPage}
                        onChange={(e) =>
                          setSelected(e.target.checked ? new Set(list.items.map((t) => t.number)) : new Set())
                        }
                      />
                    </th>
                  )}
                  {sortHeader('created', '#', 'num')}
                  <th>Title</th>
                  <th>Status</th>
                  {sortHeader('priority', 'Priority')}
                  <th className="hide-sm">Channel</th>
                  <th className="hide-sm">Assignee</th>
                  <th className="hide-sm">Due</th>
                  {sortHeader('slaDue', 'SLA', 'hide-sm')}
                  {sortHeader('updated', 'Updated', 'hide-sm')}
                </tr>
              </thead>
              <tbody>
                {list.items.map((t, i) => (
                  <tr
                    key={t.id}
                    data-row-index={i}
                    className={[i === cursor && 'current', selected.has(t.number) && 'selected']
                      .filter(Boolean)
                      .join(' ')}
                  >
                    {canWrite && (
                      <td className="select-col">
                        <Checkbox
                          label={`Select ticket #${t.number} ${t.title}`}
                          hideLabel
                          checked={selected.has(t.number)}
                          onChange={(e) => toggle(t.number, e.target.checked)}
                        />
                      </td>
                    )}
                    <td className="num muted">{t.number}</td>
                    <td>
                      <Link className="row-link" to={`/tickets/${t.number}`}>
                        {t.title}
                      </Link>
                      <div className="sub">{t.requester?.email ?? t.requester?.name ?? ''}</div>
                    </td>
                    <td>
                      <TicketStatusBadge status={t.status} />
                    </td>
                    <td>
                      <PriorityBadge priority={t.priority} />
                    </td>
                    <td className="hide-sm">{CHANNEL_LABELS[t.channel]}</td>
                    <td className="hide-sm">
                      {t.assignee?.name || t.assignee?.email || <span className="muted">Unassigned</span>}
                    </td>
                    <td className="hide-sm nowrap" title={t.dueAt ? formatDateTime(t.dueAt) : undefined}>
                      {t.dueAt ? formatRelative(t.dueAt) : <span className="muted">—</span>}
                    </td>
                    <td className="hide-sm">
                      <SlaCell ticket={t} />
                    </td>
                    <td className="hide-sm nowrap" title={t.updatedAt}>
                      {formatRelative(t.updatedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        {(list.hasPrevious || list.items.length > 0) && (
          <Pagination list={list} noun={list.items.length === 1 ? 'ticket' : 'tickets'} />
        )}
      </Card>
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
      <NewTicketDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(t) => {
          setCreating(false);
          toast.success(`Ticket #${t.number} created`);
          navigate(`/tickets/${t.number}`);
        }}
      />
    </>
  );
}

export const TICKET_SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous ticket in the list'],
  ['Enter', 'Open the highlighted ticket'],
  ['x', 'Select / unselect the highlighted ticket'],
  ['/', 'Search tickets'],
  ['c', 'New ticket'],
  ['a', 'Assign the open ticket to me'],
  ['e', 'Resolve the open ticket'],
  ['?', 'Show these shortcuts'],
];

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      title="Keyboard shortcuts"
      onClose={onClose}
      testId="shortcut-help"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <dl className="shortcuts">
        {TICKET_SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
