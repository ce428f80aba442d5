// One dependency-free file shared with the server: the filter lists exactly what it records.
import { AUDIT_ACTION_GROUPS } from '../../../../libs/observability/src/audit-actions';
import { api } from '../lib/api';
import { useAsync } from '../lib/useAsync';
import { formatDateTime } from '../lib/format';
import type { AuditEntry } from '../lib/types';
import { useCursorPages } from '../lib/useCursorPages';
import { useSearchFilters } from '../lib/useSearchFilters';
import { Badge, type Tone } from '../ui/Badge';
import { Card } from '../ui/Card';
import { SelectField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { Pagination } from '../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { Table } from '../ui/Table';

const FILTER_KEYS = ['actorId', 'action', 'outcome'] as const;
const TEXT_KEYS = [] as const;
const OUTCOMES = ['success', 'error', 'denied'];
/** A filter ending in `*` is a prefix: `document.*` is any document action. */
const actionLabel = (a: string) => (a.endsWith('*') ? `${a.slice(0, -1).replace(/[._]$/, '')} — any` : a);

/**
 * The server's own list of audit actions, grouped; actions sharing a stem (`document.`,
 * `document.draft_`) get an "any" entry first.
 */
const ACTION_GROUPS: [string, string[]][] = Object.entries(AUDIT_ACTION_GROUPS).map(([group, actions]) => {
  const stems = [...new Set(actions.map((a) => a.replace(/[^._]+$/, '')))];
  return [
    group,
    stems.flatMap((stem) => {
      const own = actions.filter((a) => a.replace(/[^._]+$/, '') === stem);
      return own.length > 1 ? [`${stem}*`, ...own] : own;
    }),
  ];
});

function outcomeTone(outcome: string): Tone {
  if (/^(success|ok|allowed)$/i.test(outcome)) return 'success';
  if (/denied|forbidden|unauthori/i.test(outcome)) return 'warning';
  return 'danger';
}

function Detail({ detail }: { detail: unknown }) {
  if (detail === null || detail === undefined || detail === '') return <span className="muted">—</span>;
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  return (
    <div className="json-detail truncate" title={text}>
      {text}
    </div>
  );
}

function Row({ entry }: { entry: AuditEntry }) {
  return (
    <tr>
      <td className="nowrap">{formatDateTime(entry.createdAt)}</td>
      <td>
        {entry.actorLabel || entry.actorId || <span className="muted">anonymous</span>}
        <div className="sub">
          {entry.actorType} · <Badge tone="outline">{entry.channel}</Badge>
        </div>
      </td>
      <td className="mono small">{entry.action}</td>
      <td className="small">
        {entry.targetType ? (
          <>
            {entry.targetType}
            <div className="sub mono truncate" style={{ maxWidth: '18ch' }} title={entry.targetId ?? ''}>
              {entry.targetId}
            </div>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="nowrap">
        <Badge tone={outcomeTone(entry.outcome)}>{entry.outcome}</Badge>
        {entry.durationMs != null && <div className="sub">{entry.durationMs} ms</div>}
      </td>
      <td>
        <Detail detail={entry.detail} />
      </td>
    </tr>
  );
}

export function AuditPage() {
  const filters = useSearchFilters(FILTER_KEYS, TEXT_KEYS);
  const list = useCursorPages(
    (cursor) => api.listAudit({ ...filters.applied, limit: 50, cursor }),
    filters.key,
  );
  const filtered = FILTER_KEYS.some((k) => filters.applied[k]);
  // Actors are chosen by name or email; the filter itself is by user id.
  const users = useAsync(() => api.listUsers({ limit: 100 }), []);
  const actorOptions = [
    { value: '', label: 'Anyone' },
    ...(users.data?.items ?? []).map((u) => ({
      value: u.id,
      label: u.name ? `${u.name} <${u.email}>` : u.email,
    })),
  ];
  if (filters.draft.actorId && !actorOptions.some((o) => o.value === filters.draft.actorId))
    actorOptions.push({ value: filters.draft.actorId, label: filters.draft.actorId });

  return (
    <>
      <PageHeader title="Audit" description="Who did what, through which door, and how it went." />
      <Card flush>
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <SelectField
            label="Actor"
            value={filters.draft.actorId}
            onChange={(e) => filters.set('actorId', e.target.value)}
            options={actorOptions}
          />
          <div className="field">
            <label className="field-label" htmlFor="audit-action">
              Action
            </label>
            <select
              id="audit-action"
              className="select"
              value={filters.draft.action}
              onChange={(e) => filters.set('action', e.target.value)}
            >
              <option value="">Any action</option>
              {ACTION_GROUPS.map(([group, actions]) => (
                <optgroup key={group} label={group}>
                  {actions.map((a) => (
                    <option key={a} value={a}>
                      {actionLabel(a)}
                    </option>
                  ))}
                </optgroup>
              ))}
              {filters.draft.action && !ACTION_GROUPS.some(([, a]) => a.includes(filters.draft.action)) && (
                <option value={filters.draft.action}>{filters.draft.action}</option>
              )}
            </select>
          </div>
          <SelectField
            label="Outcome"
            value={filters.draft.outcome}
            onChange={(e) => filters.set('outcome', e.target.value)}
            options={[{ value: '', label: 'Any outcome' }, ...OUTCOMES.map((o) => ({ value: o, label: o }))]}
          />
        </form>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load the audit log" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading audit log…" />
        ) : list.items.length === 0 ? (
          <EmptyState title={filtered ? 'No matching entries' : 'No audit entries yet'} />
        ) : (
          <div aria-busy={list.loading}>
            <Table caption="Audit log" testId="audit-table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Outcome</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((entry) => (
                  <Row key={entry.id} entry={entry} />
                ))}
              </tbody>
            </Table>
          </div>
        )}
        {(list.hasPrevious || list.items.length > 0) && <Pagination list={list} noun="entries" />}
      </Card>
    </>
  );
}
