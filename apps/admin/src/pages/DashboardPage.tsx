import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { ConnectionBadge, EventFeed } from '../components/EventFeed';
import { useAuth } from '../lib/auth';
import { formatNumber } from '../lib/format';
import { loadDashboardStats, type DashboardStats } from '../lib/stats';
import { allowedTopics } from '../lib/topics';
import { DOCUMENT_STATUSES, TICKET_PRIORITIES, type ChangeEvent } from '../lib/types';
import { useAsync } from '../lib/useAsync';
import { useEvents } from '../lib/useEvents';
import { Card } from '../ui/Card';
import { BarChart, LineChart } from '../ui/Charts';
import { PageHeader } from '../ui/PageHeader';
import { EmptyState, ErrorState } from '../ui/States';

const FEED_SIZE = 12;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function StatValue({
  value,
  loading,
  capped,
}: {
  value: number | undefined;
  loading: boolean;
  capped?: boolean;
}) {
  if (loading || value === undefined) return <span className="skeleton" aria-label="Loading" />;
  return (
    <>
      {formatNumber(value)}
      {capped ? '+' : ''}
    </>
  );
}

function StatCards({ stats, loading }: { stats?: DashboardStats; loading: boolean }) {
  const docs = stats?.documents;
  const open = stats?.tickets.openByPriority;
  const docTotal = docs ? DOCUMENT_STATUSES.reduce((n, s) => n + (docs[s] ?? 0), 0) : undefined;
  const openTotal = open ? TICKET_PRIORITIES.reduce((n, p) => n + (open[p] ?? 0), 0) : undefined;
  const breached = stats?.tickets.slaBreached;
  return (
    <div className="stat-grid" data-testid="dashboard-counts" aria-busy={loading}>
      <div className="card stat" data-testid="stat-articles">
        <div className="label">Articles</div>
        <div className="value">
          <StatValue value={docTotal} loading={loading} capped={stats?.capped} />
        </div>
        <div className="breakdown">
          {DOCUMENT_STATUSES.map((s) => (
            <span key={s}>
              {cap(s)} <b data-testid={`stat-documents-${s}`}>{docs ? formatNumber(docs[s] ?? 0) : '–'}</b>
            </span>
          ))}
        </div>
      </div>
      <div className="card stat" data-testid="stat-open-tickets">
        {/* Counts open and pending tickets; the link shows exactly those. */}
        <div className="label">Unresolved tickets</div>
        <div className="value">
          <StatValue value={openTotal} loading={loading} capped={stats?.capped} />
        </div>
        <div className="breakdown">
          {TICKET_PRIORITIES.map((p) => (
            <span key={p}>
              {cap(p)} <b data-testid={`stat-priority-${p}`}>{open ? formatNumber(open[p] ?? 0) : '–'}</b>
            </span>
          ))}
        </div>
      </div>
      <div className={`card stat${breached ? ' alert' : ''}`} data-testid="stat-sla">
        <div className="label">Breaching SLA</div>
        <div className="value">
          <StatValue value={breached} loading={loading} />
        </div>
        <div className="breakdown">
          <Link to="/tickets?status=open,pending">View unresolved tickets</Link>
        </div>
      </div>
    </div>
  );
}

function Charts({ stats }: { stats: DashboardStats }) {
  if (stats.approximate) {
    return (
      <Card title="Activity">
        <EmptyState title="Charts not available">
          This server does not provide activity statistics yet. Counts above were computed from the lists.
        </EmptyState>
      </Card>
    );
  }
  const days = stats.ticketsPerDay.map((d) => d.day);
  return (
    <>
      <Card title="Tickets, last 30 days">
        {stats.ticketsPerDay.length ? (
          <LineChart
            title="Tickets opened and resolved per day"
            labels={days}
            series={[
              { label: 'Opened', color: '#5563e8', values: stats.ticketsPerDay.map((d) => d.opened) },
              { label: 'Resolved', color: '#2fa866', values: stats.ticketsPerDay.map((d) => d.resolved) },
            ]}
          />
        ) : (
          <EmptyState title="No ticket activity yet" />
        )}
      </Card>
      <Card title="Search volume, last 30 days">
        {stats.searchesPerDay.length ? (
          <BarChart
            title="Searches per day"
            labels={stats.searchesPerDay.map((d) => d.day)}
            values={stats.searchesPerDay.map((d) => d.count)}
            color="#8b7be8"
          />
        ) : (
          <EmptyState title="No searches yet" />
        )}
      </Card>
    </>
  );
}

function LiveFeed() {
  const { can } = useAuth();
  const [events, setEvents] = useState<ChangeEvent[]>([]);
  const onEvent = useCallback((e: ChangeEvent) => setEvents((list) => [e, ...list].slice(0, FEED_SIZE)), []);
  const { status } = useEvents({ topics: allowedTopics(can), onEvent });
  return (
    <Card
      title="Live activity"
      flush
      actions={
        <>
          <ConnectionBadge status={status} />
          <Link to="/events" className="small">
            All events
          </Link>
        </>
      }
    >
      {events.length ? (
        <EventFeed events={events} />
      ) : (
        <EmptyState title="Waiting for activity">
          Changes to documents, tickets and users appear here as they happen.
        </EmptyState>
      )}
    </Card>
  );
}

export function DashboardPage() {
  const { me, can } = useAuth();
  const stats = useAsync(() => loadDashboardStats(can), []);
  const greeting = me?.name ? `Welcome back, ${me.name.split(' ')[0]}` : 'Welcome back';
  return (
    <>
      <PageHeader title="Dashboard" description={greeting} />
      {stats.error ? (
        <Card>
          <ErrorState error={stats.error} onRetry={stats.reload} title="Couldn’t load statistics" />
        </Card>
      ) : (
        <StatCards stats={stats.data} loading={stats.loading} />
      )}
      <div className="dash-grid">
        <div className="stack">{stats.data && <Charts stats={stats.data} />}</div>
        <LiveFeed />
      </div>
    </>
  );
}
