import { formatDateTime, formatRelative } from '../../lib/format';
import type { Ticket, TicketActivity, TicketComment } from '../../lib/types';
import { Badge } from '../../ui/Badge';

function Message({ comment }: { comment: TicketComment }) {
  const author = comment.author?.name || comment.author?.email || 'Unknown';
  return (
    <article
      className={`message${comment.internal ? ' internal' : ''}`}
      data-testid={comment.internal ? 'internal-note' : 'reply'}
    >
      <header>
        <span className="author">{author}</span>
        {comment.internal && <Badge tone="warning">Internal note</Badge>}
        <time dateTime={comment.createdAt} title={formatDateTime(comment.createdAt)}>
          {formatRelative(comment.createdAt)}
        </time>
      </header>
      <div className="body">{comment.body}</div>
    </article>
  );
}

type Change = Extract<TicketActivity, { type: 'change' }>;

function describe(c: Change['changes'][number]): string {
  if (c.field === 'assignee') return c.to ? `assigned to ${c.to}` : `unassigned ${c.from ?? ''}`.trim();
  return `changed ${c.field} from ${c.from ?? 'none'} to ${c.to ?? 'none'}`;
}

function ChangeLine({ change }: { change: Change }) {
  const who = change.actor?.name || change.actor?.email || 'Context Desk';
  const what =
    change.event === 'ticket.sla_breached'
      ? 'First-response deadline passed'
      : change.changes.map(describe).join(', ');
  return (
    <div className="activity-change" data-testid="activity-change">
      {change.event !== 'ticket.sla_breached' && <span className="author">{who}</span>}
      <span>{what}</span>
      <time dateTime={change.at} title={formatDateTime(change.at)}>
        {formatRelative(change.at)}
      </time>
    </div>
  );
}

/** The conversation and the ticket's field changes (status, assignee, priority…) in time order. */
export function TicketThread({ ticket, activity }: { ticket: Ticket; activity: TicketActivity[] }) {
  const requester = ticket.requester?.name || ticket.requester?.email || 'Requester';
  return (
    <section className="thread" aria-label="Conversation and activity">
      <article className="message description">
        <header>
          <span className="author">{requester}</span>
          <span>opened this ticket</span>
          <time dateTime={ticket.createdAt} title={formatDateTime(ticket.createdAt)}>
            {formatRelative(ticket.createdAt)}
          </time>
        </header>
        <div className="body">{ticket.description || <span className="muted">No description.</span>}</div>
      </article>
      {activity.map((item) =>
        item.type === 'comment' ? (
          <Message key={item.comment.id} comment={item.comment} />
        ) : item.event === 'ticket.created' ? null : (
          <ChangeLine key={`${item.at}-${item.event}`} change={item} />
        ),
      )}
    </section>
  );
}
