import { Link } from 'react-router-dom';
import { formatTime } from '../lib/format';
import type { ChangeEvent } from '../lib/types';
import type { ConnectionStatus } from '../lib/useEvents';
import { Badge, type Tone } from '../ui/Badge';

const topicTone: Record<string, Tone> = { documents: 'accent', tickets: 'info', users: 'success' };

function field(data: unknown, key: string): string | number | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

function describe(e: ChangeEvent): { text: string; href?: string } {
  const title = field(e.data, 'title');
  if (e.topic === 'documents')
    return { text: String(title ?? field(e.data, 'slug') ?? e.entityId), href: `/documents/${e.entityId}` };
  if (e.topic === 'tickets') {
    const number = field(e.data, 'number');
    const label = [number !== undefined ? `#${number}` : null, title].filter(Boolean).join(' ');
    return { text: label || e.entityId, href: number !== undefined ? `/tickets/${number}` : undefined };
  }
  if (e.topic === 'users')
    return { text: String(field(e.data, 'email') ?? field(e.data, 'name') ?? e.entityId) };
  return { text: e.entityId };
}

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const label = {
    open: 'Live',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
  }[status];
  return (
    <span className={`conn ${status}`} data-testid="connection-status">
      {label}
    </span>
  );
}

export function EventFeed({ events, freshIds }: { events: ChangeEvent[]; freshIds?: Set<number> }) {
  return (
    <ol className="feed" aria-label="Events" data-testid="event-feed">
      {events.map((e) => {
        const { text, href } = describe(e);
        return (
          <li key={e.id} className={freshIds?.has(e.id) ? 'fresh' : undefined} data-testid="event-item">
            <time className="muted small nowrap" dateTime={e.at}>
              {formatTime(e.at)}
            </time>
            <div style={{ minWidth: 0 }}>
              <span className="event-name">{e.event}</span>{' '}
              <span className="entity">{href ? <Link to={href}>{text}</Link> : text}</span>
            </div>
            <Badge tone={topicTone[e.topic] ?? 'neutral'}>{e.topic}</Badge>
          </li>
        );
      })}
    </ol>
  );
}
