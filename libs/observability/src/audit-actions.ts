/**
 * Every action the server writes to the audit log, grouped as the admin's Audit filter shows them.
 * `AuditEntry.action` is typed from this list, so a new action does not compile until it is here;
 * the admin imports this file (it has no imports of its own), so its filter cannot fall behind.
 */
export const AUDIT_ACTION_GROUPS = {
  Documents: [
    'document.create',
    'document.update',
    'document.delete',
    'document.draft_submit',
    'document.draft_publish',
    'document.draft_discard',
  ],
  Tickets: ['ticket.create', 'ticket.update', 'ticket.comment', 'ticket.sla_breached'],
  'Ticket tools': [
    'macro.create',
    'macro.update',
    'macro.delete',
    'ticket_view.create',
    'ticket_view.update',
    'ticket_view.delete',
  ],
  Attachments: ['attachment.upload', 'attachment.delete'],
  'People and access': ['auth.login', 'user.create', 'user.update', 'api_key.create', 'api_key.revoke'],
  'Agents and integrations': [
    'mcp.tool_call',
    'oauth.consent',
    'oauth.revoke',
    'webhook.created',
    'webhook.updated',
    'webhook.deleted',
  ],
} as const;

export type AuditAction = (typeof AUDIT_ACTION_GROUPS)[keyof typeof AUDIT_ACTION_GROUPS][number];
