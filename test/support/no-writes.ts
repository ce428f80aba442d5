import type { INestApplication } from '@nestjs/common';
import { DatabaseService } from '@app/database';

/**
 * Runs a call that must be refused and checks that it wrote nothing: no new outbox event, and
 * `state` (the rows the call aimed at: a version, a row count, a list) reads the same after as
 * before. The refusal itself (status, isError) is the caller's to assert on the returned result.
 * Denied calls do write an audit entry; that is the one write allowed, and it is not counted.
 * `topics` narrows the outbox count where background work (an SLA sweep) may write meanwhile.
 */
export async function expectNothingWritten<T>(
  app: INestApplication,
  state: () => Promise<unknown>,
  call: () => Promise<T>,
  topics?: string[],
): Promise<T> {
  const db = app.get(DatabaseService);
  const events = () => db.prisma.event.count({ where: topics ? { topic: { in: topics } } : {} });
  const before = { events: await events(), state: await state() };
  const result = await call();
  expect({ events: await events(), state: await state() }).toEqual(before);
  return result;
}
