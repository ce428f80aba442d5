import type { SlaMinutes } from '@app/config';
import type { TicketPriorityName } from './ticket-workflow';

/**
 * First-response deadline: `urgent` and `high` tickets get one (created + the configured
 * minutes for that priority); other priorities have none.
 */
export function slaDueAt(priority: TicketPriorityName, createdAt: Date, minutes: SlaMinutes): Date | null {
  if (priority !== 'urgent' && priority !== 'high') return null;
  return new Date(createdAt.getTime() + minutes[priority] * 60_000);
}
