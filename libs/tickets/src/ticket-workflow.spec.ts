import { ConflictError } from '@app/core';
import {
  TICKET_STATUSES,
  TICKET_TRANSITIONS,
  assertTransition,
  canTransition,
  stampsFor,
  type TicketStatusName,
} from './ticket-workflow';
import { slaDueAt } from './ticket-sla';
import { lastDays } from './dashboard-stats.service';

describe('ticket workflow', () => {
  it('has exactly this transition table', () => {
    const table: Record<string, string[]> = {};
    for (const from of TICKET_STATUSES) table[from] = TICKET_STATUSES.filter((to) => canTransition(from, to));
    expect(table).toEqual({
      open: ['pending', 'resolved', 'closed'],
      pending: ['open', 'resolved', 'closed'],
      resolved: ['open', 'closed'],
      closed: ['open'],
    });
  });

  it('lets every status be reopened and reach closed', () => {
    for (const s of TICKET_STATUSES) {
      if (s !== 'open') expect(canTransition(s, 'open')).toBe(true);
      if (s !== 'closed') expect(canTransition(s, 'closed')).toBe(true);
      expect(TICKET_TRANSITIONS[s]).not.toContain(s);
    }
  });

  it('treats the current status as no transition', () => {
    for (const s of TICKET_STATUSES) expect(() => assertTransition(1, s, s)).not.toThrow();
  });

  it('rejects an illegal transition with a conflict naming the allowed next states', () => {
    let error: unknown;
    try {
      assertTransition(42, 'closed', 'resolved');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConflictError);
    const e = error as ConflictError;
    expect(e.message).toBe('ticket 42 cannot go from closed to resolved; from closed it can go to: open');
    expect(e.details).toMatchObject({
      currentStatus: 'closed',
      requestedStatus: 'resolved',
      allowedStatuses: ['open'],
    });
  });

  it('stamps resolvedAt/closedAt and clears them on reopen', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-02T00:00:00Z');
    const none = { resolvedAt: null, closedAt: null };
    expect(stampsFor('resolved', none, t0)).toEqual({ resolvedAt: t0, closedAt: null });
    expect(stampsFor('closed', { resolvedAt: t0, closedAt: null }, t1)).toEqual({
      resolvedAt: t0,
      closedAt: t1,
    });
    expect(stampsFor('closed', none, t1)).toEqual({ resolvedAt: null, closedAt: t1 });
    for (const s of ['open', 'pending'] as TicketStatusName[]) {
      expect(stampsFor(s, { resolvedAt: t0, closedAt: t1 }, t1)).toEqual(none);
    }
  });
});

describe('ticket SLA', () => {
  const created = new Date('2026-01-01T10:00:00Z');
  const minutes = { urgent: 60, high: 240 };
  it('sets a first-response deadline for urgent and high only', () => {
    expect(slaDueAt('urgent', created, minutes)?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(slaDueAt('high', created, minutes)?.toISOString()).toBe('2026-01-01T14:00:00.000Z');
    expect(slaDueAt('normal', created, minutes)).toBeNull();
    expect(slaDueAt('low', created, minutes)).toBeNull();
  });
});

describe('dashboard days', () => {
  it('lists 30 UTC days ending today', () => {
    const days = lastDays(new Date('2026-03-01T23:30:00Z'), 30);
    expect(days).toHaveLength(30);
    expect(days[29]).toBe('2026-03-01');
    expect(days[0]).toBe('2026-01-31');
  });
});
