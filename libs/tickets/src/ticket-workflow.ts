import { ConflictError } from '@app/core';
import { TicketPriority, TicketStatus } from '@app/database';

/** Values from prisma/schema.prisma's enums. */
export const TICKET_STATUSES = Object.values(TicketStatus);
export type TicketStatusName = TicketStatus;

export const TICKET_PRIORITIES = Object.values(TicketPriority);
export type TicketPriorityName = TicketPriority;

/**
 * The ticket workflow, in one place: from each status, the statuses a ticket may move to.
 *
 * - open → pending (waiting on the requester), resolved (agents may resolve directly), closed
 * - pending → open (the requester answered), resolved, closed
 * - resolved → open (reopen), closed
 * - closed → open (reopen); a closed ticket is never resolved again without being reopened
 *
 * Setting the status a ticket already has is not a transition (no change, no event).
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatusName, readonly TicketStatusName[]>> = {
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

export const canTransition = (from: TicketStatusName, to: TicketStatusName): boolean =>
  TICKET_TRANSITIONS[from].includes(to);

/** Throws a ConflictError (409) naming the allowed next states when `from → to` is not allowed. */
export function assertTransition(ticketNumber: number, from: TicketStatusName, to: TicketStatusName): void {
  if (from === to || canTransition(from, to)) return;
  const allowed = TICKET_TRANSITIONS[from];
  throw new ConflictError(
    `ticket ${ticketNumber} cannot go from ${from} to ${to}; from ${from} it can go to: ${allowed.join(', ')}`,
    { field: 'status', currentStatus: from, requestedStatus: to, allowedStatuses: [...allowed] },
  );
}

export interface StatusStamps {
  resolvedAt: Date | null;
  closedAt: Date | null;
}

/**
 * Timestamps after a status change: resolving stamps resolvedAt, closing stamps closedAt
 * (keeping resolvedAt if it was resolved first), reopening clears both.
 */
export function stampsFor(to: TicketStatusName, current: StatusStamps, now: Date): StatusStamps {
  switch (to) {
    case 'open':
    case 'pending':
      return { resolvedAt: null, closedAt: null };
    case 'resolved':
      return { resolvedAt: now, closedAt: null };
    case 'closed':
      return { resolvedAt: current.resolvedAt, closedAt: now };
  }
}

/** Statuses in which the first-response SLA clock runs. */
export const SLA_ACTIVE_STATUSES: readonly TicketStatusName[] = ['open', 'pending'];
