import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Attachments } from '../../components/Attachments';
import { api, ApiError, errorMessage, type TicketChanges } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import type { ChangeEvent, Ticket, TicketComment } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { useEvents } from '../../lib/useEvents';
import { useShortcuts } from '../../lib/useShortcuts';
import { PriorityBadge, TicketStatusBadge } from '../../ui/Badge';
import { PageHeader } from '../../ui/PageHeader';
import { ErrorState, Loading } from '../../ui/States';
import { useToast } from '../../ui/Toast';
import { RelatedArticles } from './RelatedArticles';
import { ReplyBox, type InsertRequest } from './ReplyBox';
import { RequesterPanel } from './RequesterPanel';
import { ShortcutHelp } from './TicketsPage';
import { TicketProperties } from './TicketProperties';
import { TicketThread } from './TicketThread';
import '../work.css';

export function TicketDetailPage() {
  const number = Number(useParams().number);
  const { can, me } = useAuth();
  const [insert, setInsert] = useState<InsertRequest | null>(null);
  const [help, setHelp] = useState(false);
  const insertText = useCallback((text: string) => setInsert((p) => ({ text, seq: (p?.seq ?? 0) + 1 })), []);
  const toast = useToast();
  const ticket = useAsync(() => api.getTicket(number), [number]);
  const activity = useAsync(() => api.ticketActivity(number), [number]);
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reloadAll = useCallback(() => {
    ticket.reload();
    activity.reload();
  }, [ticket, activity]);

  // Someone else (a person or an agent) changed this ticket: refresh it, at most every 400 ms.
  const onEvent = useCallback(
    (e: ChangeEvent) => {
      if (!ticket.data || e.entityId !== ticket.data.id) return;
      clearTimeout(refresh.current);
      refresh.current = setTimeout(reloadAll, 400);
    },
    [ticket.data, reloadAll],
  );
  useEvents({ topics: ['tickets'], onEvent });
  useEffect(() => () => clearTimeout(refresh.current), []);

  const update = async (changes: TicketChanges) => {
    const current = ticket.data;
    if (!current) return;
    try {
      const saved = await api.updateTicket(current.number, current.version, changes);
      ticket.setData(saved);
      activity.reload();
      toast.success(`Ticket #${saved.number} updated`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        toast.error('Someone else changed this ticket. It has been reloaded; please try again.');
        ticket.reload();
      } else {
        toast.error(errorMessage(err));
      }
    }
  };

  // a: assign to me, e: resolve, ?: shortcuts (not while typing). A key pressed while the ticket
  // reloads (someone's change just arrived) waits for the fresh version instead of being dropped
  // or sent with a stale one.
  const [queued, setQueued] = useState<'assign' | 'resolve' | null>(null);
  const runQueued = useRef<() => void>(() => undefined);
  runQueued.current = () => {
    const current = ticket.data;
    if (!current || !can('tickets:write')) return;
    if (queued === 'assign' && me && current.assigneeId !== me.id) void update({ assigneeId: me.id });
    if (queued === 'resolve' && current.status !== 'resolved') void update({ status: 'resolved' });
  };
  useEffect(() => {
    if (!queued || ticket.loading) return;
    runQueued.current();
    setQueued(null);
  }, [queued, ticket.loading]);
  useShortcuts({
    a: () => setQueued('assign'),
    e: () => setQueued('resolve'),
    '?': () => setHelp(true),
  });

  const onPosted = (c: TicketComment) => {
    activity.setData((prev) => ({
      items: [...(prev?.items ?? []), { type: 'comment', at: c.createdAt, comment: c }],
      truncated: prev?.truncated ?? false,
    }));
    toast.success(c.internal ? 'Internal note added' : 'Reply sent');
    reloadAll();
  };

  if (ticket.error) {
    const notFound = ticket.error instanceof ApiError && ticket.error.status === 404;
    return (
      <ErrorState
        error={ticket.error}
        title={notFound ? `Ticket #${number} not found` : 'Couldn’t open this ticket'}
        onRetry={notFound ? undefined : ticket.reload}
      />
    );
  }
  if (!ticket.data) return <Loading label="Loading ticket…" />;
  const t: Ticket = ticket.data;

  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/tickets">Tickets</Link>}
        documentTitle={`#${t.number} ${t.title}`}
        title={
          <>
            <span className="muted">#{t.number}</span> {t.title}
          </>
        }
        description={
          <span className="row">
            <TicketStatusBadge status={t.status} />
            <PriorityBadge priority={t.priority} />
            {t.requester && <span>from {t.requester.email}</span>}
          </span>
        }
      />
      <div className="ticket-layout">
        <div className="stack">
          {activity.error ? (
            <ErrorState
              error={activity.error}
              onRetry={activity.reload}
              title="Couldn’t load the conversation"
            />
          ) : (
            <TicketThread ticket={t} activity={activity.data?.items ?? []} />
          )}
          {can('tickets:write') && (
            <ReplyBox number={t.number} onPosted={onPosted} insert={insert} onInsert={insertText} />
          )}
        </div>
        <div className="stack">
          <TicketProperties ticket={t} onChange={update} stale={ticket.loading} />
          <Attachments target={{ kind: 'ticket', number: t.number }} canWrite={can('tickets:write')} />
          {t.requester && <RequesterPanel requester={t.requester} current={t.number} />}
          {can('kb:read') && (
            <RelatedArticles query={t.title} onInsert={can('tickets:write') ? insertText : undefined} />
          )}
        </div>
      </div>
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
    </>
  );
}
