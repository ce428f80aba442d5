import type { INestApplicationContext } from '@nestjs/common';
import { ROLE_SCOPES, systemPrincipal, type Principal } from '@app/core';
import { DatabaseService } from '@app/database';
import { DocumentsService } from '@app/knowledge';
import { TicketsService } from '@app/tickets';
import { UsersService } from '@app/users';
import { parseOptions } from './args';
import { withDomain } from './cli.module';
import { DEMO_ARTICLES, DEMO_TICKETS, DEMO_USERS } from './demo-data';

export const DEMO_PASSWORD = 'northwind-demo-desk';

const asUser = (u: {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent' | 'viewer';
}): Principal => ({
  kind: 'user',
  userId: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  // Requesters (viewers) reply on their own tickets in the demo thread.
  scopes: u.role === 'viewer' ? [...ROLE_SCOPES.viewer, 'tickets:write'] : ROLE_SCOPES[u.role],
  channel: 'cli',
});

/** `seed`: ensure the admin exists (done by opening the domain, see withDomain). `seed --demo`: also load the demo help center (idempotent). */
export async function seedCommand(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { demo: { type: 'boolean', default: false } });
  await withDomain(async (app) => {
    if (values.demo) await seedDemo(app);
  });
}

async function seedDemo(app: INestApplicationContext): Promise<void> {
  const db = app.get(DatabaseService);
  const users = app.get(UsersService);
  const documents = app.get(DocumentsService);
  const tickets = app.get(TicketsService);
  const system = systemPrincipal('cli', 'seed');

  let newUsers = 0;
  for (const u of DEMO_USERS) {
    if (await db.prisma.user.findUnique({ where: { email: u.email } })) continue;
    await users.create({ ...u, password: DEMO_PASSWORD }, system);
    newUsers++;
  }
  const byEmail = async (email: string) => {
    const u = await db.prisma.user.findUniqueOrThrow({ where: { email } });
    return asUser(u);
  };
  const author = await byEmail(DEMO_USERS.find((u) => u.role === 'agent')!.email);

  let newArticles = 0;
  for (const article of DEMO_ARTICLES) {
    if (await db.prisma.document.findUnique({ where: { slug: article.slug } })) continue;
    const body = article.sections.map(([heading, text]) => `## ${heading}\n\n${text}`).join('\n\n');
    await documents.create(
      {
        slug: article.slug,
        title: article.title,
        body,
        tags: article.tags,
        collection: article.collection,
        status: article.status,
      },
      author,
    );
    newArticles++;
  }

  let newTickets = 0;
  for (const t of DEMO_TICKETS) {
    if (await db.prisma.ticket.findFirst({ where: { title: t.title } })) continue;
    const agent = t.assignee ? await byEmail(t.assignee) : author;
    const ticket = await tickets.create(
      {
        title: t.title,
        description: t.description,
        priority: t.priority,
        requesterEmail: t.requesterEmail,
        tags: t.tags,
        assigneeId: t.assignee ? agent.userId : null,
      },
      agent,
    );
    const requester = await byEmail(t.requesterEmail);
    for (const reply of t.replies) {
      await tickets.comment(
        ticket.number,
        { body: reply.body, internal: reply.internal },
        reply.from === 'agent' ? agent : requester,
      );
    }
    const path: Record<typeof t.status, ('pending' | 'resolved' | 'closed')[]> = {
      open: [],
      pending: ['pending'],
      resolved: ['resolved'],
      closed: ['resolved', 'closed'],
    };
    for (const status of path[t.status]) await tickets.update(ticket.number, { status }, agent);
    newTickets++;
  }
  console.log(
    `Demo data: ${newUsers} users, ${newArticles} articles, ${newTickets} tickets added ` +
      `(demo users sign in with password "${DEMO_PASSWORD}").`,
  );
}
