import { formatDateTime, formatRelative } from '../../lib/format';
import type { Ticket, TicketComment } from '../../lib/types';
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

export function TicketThread({ ticket, comments }: { ticket: Ticket; comments: TicketComment[] }) {
  const requester = ticket.requester?.name || ticket.requester?.email || 'Requester';
  return (
    <section className="thread" aria-label="Conversation">
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
      {comments.map((c) => (
        <Message key={c.id} comment={c} />
      ))}
    </section>
  );
}
