import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DatabaseService } from '@app/database';
import { api, login, type ApiClient } from './support/http';
import { TEST_DATABASE_URL, testDatabaseEnv } from './support/test-db';
import { startTestApp, type TestApp } from './support/test-app';

// The durable webhook dispatcher (libs/webhooks/src/webhook-dispatcher.ts) end to end: events
// committed while no server runs are delivered at the next start; one dispatcher at a time
// across instances (Postgres advisory lock), each event delivered once.

const root = path.resolve(__dirname, '..');
const secret = 'durable-webhooks-test-secret';
/** The dispatcher's advisory lock key (DISPATCH_LOCK_KEY in webhook-dispatcher.ts). */
const DISPATCH_LOCK_KEY = 72707371;

interface Received {
  headers: IncomingHttpHeaders;
  body: { id: number; event: string; entityId: string };
}

async function receiver(): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

async function until(ok: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `context-desk <args>` from the TypeScript sources; resolves with its exit code and stderr. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'bench/run.js'), 'apps/cli/src/main.ts', ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('webhook dispatch is durable', () => {
  it('delivers an event committed by the CLI while no server ran, at the next start', async () => {
    const database = await testDatabaseEnv();
    const rx = await receiver();
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-cli-import-'));
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true' };
    let second: TestApp | null = null;
    try {
      const first = await startTestApp({ database, env });
      const admin = api(first.baseUrl, await login(first.baseUrl));
      const hook = await admin.post('/api/v1/webhooks', {
        url: rx.url,
        events: ['document.created'],
        secret,
      });
      expect(hook.status).toBe(201);
      await first.close();

      // No server runs: the CLI writes a document, and with it its outbox event.
      const file = path.join(dir, 'offline.json');
      writeFileSync(
        file,
        JSON.stringify({ documents: [{ slug: 'written-offline', title: 'Offline', body: 'x' }] }),
      );
      const run = await cli(['import', file], database.env);
      expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(rx.got).toHaveLength(0);

      second = await startTestApp({ database, env });
      const [event] = await second.app.get(DatabaseService).driver.query<{ id: string; entity_id: string }>(
        `SELECT e.id::text AS id, e.entity_id FROM event e JOIN document d ON d.id::text = e.entity_id
            WHERE e.event = 'document.created' AND d.slug = 'written-offline'`,
      );
      expect(event).toBeDefined();
      await until(() => rx.got.length > 0, 'the delivery of the offline event');
      expect(rx.got).toHaveLength(1);
      expect(rx.got[0].headers['x-context-desk-event-id']).toBe(event.id);
      expect(rx.got[0].body).toMatchObject({ event: 'document.created', entityId: event.entity_id });
    } finally {
      await second?.close();
      rx.server.close();
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});

(TEST_DATABASE_URL ? describe : describe.skip)('two instances on one Postgres', () => {
  let a: TestApp;
  let b: TestApp;
  let database: Awaited<ReturnType<typeof testDatabaseEnv>>;
  let sql: Client;
  beforeAll(async () => {
    database = await testDatabaseEnv();
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true', EVENT_POLL_MS: '200' };
    a = await startTestApp({ database, env });
    b = await startTestApp({ database, env });
    sql = new Client({ connectionString: database.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await b?.close();
    await a?.close();
    await database?.drop();
  });

  it('dispatches with one instance at a time: nothing while another holds the lock, then every event once', async () => {
    const rx = await receiver();
    try {
      const [adminA, adminB]: ApiClient[] = [
        api(a.baseUrl, await login(a.baseUrl)),
        api(b.baseUrl, await login(b.baseUrl)),
      ];
      const hook = await adminA.post('/api/v1/webhooks', { url: rx.url, events: ['ticket.created'], secret });
      expect(hook.status).toBe(201);

      // Someone else dispatching (the lock held): neither instance dispatches meanwhile.
      await sql.query('SELECT pg_advisory_lock($1::bigint)', [DISPATCH_LOCK_KEY]);
      const created = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? adminB : adminA).post('/api/v1/tickets', { title: `Raced ${i}`, description: 'x' }),
        ),
      );
      expect(created.map((r) => r.status)).toEqual(Array(40).fill(201));
      await new Promise((r) => setTimeout(r, 1500)); // several polls of both instances
      const during = await sql.query(
        `SELECT count(*)::int AS n FROM webhook_delivery WHERE webhook_id = $1`,
        [hook.body.id],
      );
      expect(during.rows[0].n).toBe(0);
      expect(rx.got).toHaveLength(0);
      await sql.query('SELECT pg_advisory_unlock($1::bigint)', [DISPATCH_LOCK_KEY]);

      // Both instances race for the rest: every event gets one delivery row, one job, one POST.
      const ids = created.map((r) => r.body.id as string);
      await until(() => rx.got.length >= 40, 'forty deliveries');
      await new Promise((r) => setTimeout(r, 1000)); // a duplicate would arrive by now
      const events = await sql.query(
        `SELECT id::text AS id FROM event WHERE event = 'ticket.created' AND entity_id = ANY($1) ORDER BY id`,
        [ids],
      );
      expect(events.rows).toHaveLength(40);
      expect(rx.got.map((g) => g.headers['x-context-desk-event-id']).sort()).toEqual(
        events.rows.map((r) => r.id).sort(),
      );
      const rows = await sql.query(
        `SELECT d.event_id, count(DISTINCT j.id)::int AS jobs
           FROM webhook_delivery d JOIN job j ON j.key = 'webhook:' || d.id
          WHERE d.webhook_id = $1 GROUP BY d.event_id`,
        [hook.body.id],
      );
      expect(rows.rows).toHaveLength(40);
      expect(rows.rows.every((r) => r.jobs === 1)).toBe(true);
    } finally {
      rx.server.close();
    }
  });
});
