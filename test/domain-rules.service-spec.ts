import { ConflictError, VersionConflictError } from '@app/core';
import {
  eventsOf,
  makeDocument,
  makeTicket,
  makeUser,
  openServices,
  principalOf,
  system,
  type Services,
} from './support/factories';

// The write rules of the domain services, checked at the service on a real database (a copy of
// the migrated PGlite template, or Postgres with TEST_DATABASE_URL): one write recipe, one no-op
// rule, version checks, and the lock behind the last-admin rule. No HTTP, no mocks.
describe('domain services: versions, no-ops and invariants (real database)', () => {
  let s: Services;
  beforeAll(async () => {
    s = await openServices();
  });
  afterAll(() => s?.close());

  const audits = (targetId: string, action: string) =>
    s.db.prisma.auditLog.count({ where: { targetId, action } });

  describe('TicketsService', () => {
    it('a change that changes nothing keeps the version and writes no event or audit entry', async () => {
      const ticket = await makeTicket(s, { priority: 'high', tags: ['printer'] });
      const same = await s.tickets.update(
        ticket.number,
        { priority: 'high', status: 'open', tags: ['Printer'], expectedVersion: 1 },
        system,
      );
      expect(same).toMatchObject({ version: 1, priority: 'high', tags: ['printer'] });
      expect(same.updatedAt).toBe(ticket.updatedAt);
      expect((await eventsOf(s, ticket.id)).map((e) => e.event)).toEqual(['ticket.created']);
      expect(await audits(String(ticket.number), 'ticket.update')).toBe(0);

      const changed = await s.tickets.update(ticket.number, { priority: 'low' }, system);
      expect(changed.version).toBe(2);
      expect((await eventsOf(s, ticket.id)).map((e) => e.event)).toEqual([
        'ticket.created',
        'ticket.updated',
      ]);
    });

    it('refuses a stale expectedVersion with the current one, and writes nothing', async () => {
      const ticket = await makeTicket(s);
      await s.tickets.update(ticket.number, { title: 'First writer' }, system);
      const stale = s.tickets.update(ticket.number, { title: 'Second writer', expectedVersion: 1 }, system);
      await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
      await expect(stale).rejects.toMatchObject({ currentVersion: 2 });
      const now = await s.tickets.get(ticket.number, system);
      expect(now).toMatchObject({ title: 'First writer', version: 2 });
      expect(await eventsOf(s, ticket.id)).toHaveLength(2);
    });

    it('a viewer may not write, and nothing is written', async () => {
      const viewer = await makeUser(s, { role: 'viewer' });
      const ticket = await makeTicket(s);
      await expect(
        s.tickets.update(ticket.number, { priority: 'urgent' }, principalOf(viewer)),
      ).rejects.toThrow(/tickets:write/);
      expect((await s.tickets.get(ticket.number, system)).version).toBe(1);
      expect(await eventsOf(s, ticket.id)).toHaveLength(1);
    });
  });

  describe('DocumentsService', () => {
    it('a change that changes nothing keeps the version, the history and the outbox as they are', async () => {
      const doc = await makeDocument(s, { title: 'Reset your password', tags: ['account'] });
      const same = await s.documents.update(
        doc.id,
        { title: 'Reset your password', tags: ['account'], expectedVersion: 1 },
        system,
      );
      expect(same.version).toBe(1);
      expect(await s.db.prisma.documentVersion.count({ where: { documentId: doc.id } })).toBe(1);
      expect((await eventsOf(s, doc.id)).map((e) => e.event)).toEqual(['document.created']);

      const changed = await s.documents.update(doc.id, { title: 'Reset a password' }, system);
      expect(changed.version).toBe(2);
      expect(await s.db.prisma.documentVersion.count({ where: { documentId: doc.id } })).toBe(2);
    });

    it('refuses a stale expectedVersion and keeps the newer text', async () => {
      const doc = await makeDocument(s);
      await s.documents.update(doc.id, { body: 'Newer text.' }, system);
      const stale = s.documents.update(doc.id, { body: 'Older text.', expectedVersion: 1 }, system);
      await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
      await expect(stale).rejects.toMatchObject({ currentVersion: 2 });
      expect(await s.documents.get(doc.id)).toMatchObject({ body: 'Newer text.', version: 2 });
      expect(await eventsOf(s, doc.id)).toHaveLength(2);
    });
  });

  describe('UsersService: the last active admin', () => {
    // Each test starts from no active admin: the ones earlier tests made step down first.
    beforeEach(async () => {
      await s.db.prisma.user.updateMany({ where: { role: 'admin' }, data: { active: false } });
    });

    it('cannot be demoted or deactivated; with a second admin either can step down', async () => {
      const only = await makeUser(s, { role: 'admin' });
      await expect(s.users.update(only.id, { role: 'agent' }, system)).rejects.toBeInstanceOf(ConflictError);
      await expect(s.users.update(only.id, { active: false }, system)).rejects.toThrow(/last active admin/);
      expect((await s.users.get(only.id)).version).toBe(1);

      const second = await makeUser(s, { role: 'admin' });
      expect((await s.users.update(only.id, { role: 'agent' }, system)).role).toBe('agent');
      await expect(s.users.update(second.id, { active: false }, system)).rejects.toThrow(/last active admin/);
    });

    it('two concurrent demotions leave one admin', async () => {
      const [a, b] = [await makeUser(s, { role: 'admin' }), await makeUser(s, { role: 'admin' })];
      const results = await Promise.allSettled([
        s.users.update(a.id, { role: 'agent' }, system),
        s.users.update(b.id, { role: 'viewer' }, system),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(ConflictError);
      expect(await s.db.prisma.user.count({ where: { role: 'admin', active: true } })).toBe(1);
    });
  });
});
