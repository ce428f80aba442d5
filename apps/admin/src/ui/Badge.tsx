import type { ReactNode } from 'react';
import type { DocumentStatus, Role, TicketPriority, TicketStatus } from '../lib/types';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent' | 'outline';

export function Badge({
  tone = 'neutral',
  dot,
  children,
}: {
  tone?: Tone;
  dot?: boolean;
  children: ReactNode;
}) {
  const cls = ['badge', tone !== 'neutral' && `badge-${tone}`, dot && 'badge-dot'].filter(Boolean).join(' ');
  return <span className={cls}>{children}</span>;
}

const documentTone: Record<DocumentStatus, Tone> = {
  draft: 'neutral',
  published: 'success',
  archived: 'outline',
};
const ticketTone: Record<TicketStatus, Tone> = {
  open: 'info',
  pending: 'warning',
  resolved: 'success',
  closed: 'neutral',
};
const priorityTone: Record<TicketPriority, Tone> = {
  low: 'outline',
  normal: 'neutral',
  high: 'warning',
  urgent: 'danger',
};
const roleTone: Record<Role, Tone> = { admin: 'accent', agent: 'info', viewer: 'neutral' };

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const DocumentStatusBadge = ({ status }: { status: DocumentStatus }) => (
  <Badge tone={documentTone[status] ?? 'neutral'} dot>
    {cap(status)}
  </Badge>
);
export const TicketStatusBadge = ({ status }: { status: TicketStatus }) => (
  <Badge tone={ticketTone[status] ?? 'neutral'} dot>
    {cap(status)}
  </Badge>
);
export const PriorityBadge = ({ priority }: { priority: TicketPriority }) => (
  <Badge tone={priorityTone[priority] ?? 'neutral'}>{cap(priority)}</Badge>
);
export const RoleBadge = ({ role }: { role: Role }) => (
  <Badge tone={roleTone[role] ?? 'neutral'}>{cap(role)}</Badge>
);

export function Tags({ tags }: { tags: string[] }) {
  if (!tags.length) return <span className="muted">—</span>;
  return (
    <span className="tags">
      {tags.map((t) => (
        <Badge key={t} tone="outline">
          {t}
        </Badge>
      ))}
    </span>
  );
}
