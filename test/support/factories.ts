import { Test, type TestingModule } from '@nestjs/testing';
import { AppConfig, ConfigModule, loadConfig } from '@app/config';
import { ROLE_SCOPES, systemPrincipal, type Principal } from '@app/core';
import { DatabaseModule, DatabaseService } from '@app/database';
import {
  DocumentsService,
  KnowledgeModule,
  type CreateDocumentInput,
  type DocumentDto,
} from '@app/knowledge';
import { TicketsModule, TicketsService, type CreateTicketInput, type TicketDto } from '@app/tickets';
import { UsersModule, UsersService, type CreateUserInput, type UserDto } from '@app/users';
import { testDatabaseEnv } from './test-db';

/**
 * The domain services on a real database, without the HTTP app: the lib modules wired by Nest
 * over a private copy of the migrated PGlite template (or a throw-away Postgres database when
 * TEST_DATABASE_URL is set). For service tests (test/*.service-spec.ts): rules, versions,
 * events and locks checked at the service, with rows made by the factories below.
 */
export interface Services {
  module: TestingModule;
  config: AppConfig;
  db: DatabaseService;
  users: UsersService;
  tickets: TicketsService;
  documents: DocumentsService;
  close(): Promise<void>;
}

export async function openServices(): Promise<Services> {
  const database = await testDatabaseEnv();
  const config = loadConfig({
    ...database.env,
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-signing',
  });
  let module: TestingModule;
  try {
    module = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule, UsersModule, TicketsModule, KnowledgeModule],
    }).compile();
    await module.init();
  } catch (e) {
    await database.drop();
    throw e;
  }
  return {
    module,
    config,
    db: module.get(DatabaseService),
    users: module.get(UsersService),
    tickets: module.get(TicketsService),
    documents: module.get(DocumentsService),
    async close() {
      await module.close();
      await database.drop();
    },
  };
}

/** Who acts in a service call: the system (all scopes) unless a test names a user. */
export const system: Principal = systemPrincipal('system', 'factories');

/** The principal of a signed-in user, with the scopes of their role. */
export const principalOf = (user: UserDto): Principal => ({
  kind: 'user',
  userId: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  scopes: ROLE_SCOPES[user.role],
  channel: 'rest',
});

let seq = 0;
const next = () => `${Date.now().toString(36)}-${++seq}`;

/** A user (an agent unless told otherwise), without a password. */
export function makeUser(s: Services, over: Partial<CreateUserInput> = {}, actor = system): Promise<UserDto> {
  const n = next();
  return s.users.create(
    { email: `user-${n}@example.test`, name: `User ${n}`, role: 'agent', ...over },
    actor,
  );
}

/** A ticket from a new requester, created by the system unless an actor is given. */
export function makeTicket(
  s: Services,
  over: Partial<CreateTicketInput> = {},
  actor = system,
): Promise<TicketDto> {
  const n = next();
  return s.tickets.create(
    {
      title: `Printer ${n} is jammed`,
      description: 'Paper keeps jamming in tray 2.',
      requesterEmail: `requester-${n}@example.test`,
      ...over,
    },
    actor,
  );
}

/** A draft document with a unique slug. */
export function makeDocument(
  s: Services,
  over: Partial<CreateDocumentInput> = {},
  actor = system,
): Promise<DocumentDto> {
  const n = next();
  return s.documents.create(
    { slug: `doc-${n}`, title: `Document ${n}`, body: '# Intro\n\nSome text.', ...over },
    actor,
  );
}

/** The outbox events recorded for one record, oldest first. */
export const eventsOf = (s: Services, entityId: string) =>
  s.db.prisma.event.findMany({ where: { entityId }, orderBy: { id: 'asc' } });
