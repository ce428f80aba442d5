import { Link } from 'react-router-dom';
import { api } from '../../lib/api';
import { formatRelative } from '../../lib/format';
import type { UserRef } from '../../lib/types';
import { useAsync } from '../../lib/useAsync';
import { TicketStatusBadge } from '../../ui/Badge';
import { Card } from '../../ui/Card';
import { ErrorState, Loading } from '../../ui/States';

/** Who asked, and their other tickets (newest first), so an agent sees the history at a glance. */
export function RequesterPanel({ requester, current }: { requester: UserRef; current: number }) {
  const others = useAsync(
    () => api.listTickets({ requesterEmail: requester.email, limit: 6 }),
    [requester.email],
  );
  const items = (others.data?.items ?? []).filter((t) => t.number !== current).slice(0, 5);
  return (
    <Card title="Requester" flush data-testid="requester-panel">
      <div className="card-body stack-sm">
        <div>
          <strong>{requester.name || requester.email}</strong>
          {requester.name && <div className="muted small">{requester.email}</div>}
        </div>
        {others.error ? (
          <ErrorState error={others.error} onRetry={others.reload} title="Couldn’t load their tickets" />
        ) : others.loading && !others.data ? (
          <Loading label="Loading their tickets…" />
        ) : items.length === 0 ? (
          <p className="flush muted small">No other tickets from them.</p>
        ) : (
          <ul className="related-list" aria-label="Their other tickets">
            {items.map((t) => (
              <li key={t.id}>
                <Link to={`/tickets/${t.number}`}>
                  #{t.number} {t.title}
                </Link>
                <div className="row small">
                  <TicketStatusBadge status={t.status} />
                  <span className="muted">{formatRelative(t.updatedAt)}</span>
                </div>
              </li>
            ))}
          </ul>
        )}
        <Link className="small" to={`/tickets?requesterEmail=${encodeURIComponent(requester.email)}`}>
          All their tickets
        </Link>
      </div>
    </Card>
  );
}
