/** Outbox topic and event names of the tickets context. */
export const TICKETS_TOPIC = 'tickets' as const;

export const TICKET_EVENTS = {
  created: 'ticket.created',
  updated: 'ticket.updated',
  commented: 'ticket.commented',
  slaBreached: 'ticket.sla_breached',
} as const;

export type TicketEventName = (typeof TICKET_EVENTS)[keyof typeof TICKET_EVENTS];
