import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatabaseService } from '@app/database';
import { api, login } from './support/http';
import { ADMIN_EMAIL, startTestApp, type TestApp } from './support/test-app';

describe('foundation (real app, real database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health/live answers ok', async () => {
    const res = await fetch(`${t.baseUrl}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready reports the database up', async () => {
    const res = await fetch(`${t.baseUrl}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; details: { database: { status: string } } };
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
  });

  it('GET /metrics serves Prometheus text', async () => {
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('# TYPE context_desk_process_cpu_user_seconds_total counter');
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${t.baseUrl}/health/live`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const other = await fetch(`${t.baseUrl}/health/live`);
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records every migration with the SHA-256 of its file', async () => {
    const db = t.app.get(DatabaseService);
    const rows = await db.driver.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    const dir = path.join(__dirname, '..', 'prisma', 'migrations');
    const files = fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql')))
      .sort();
    expect(rows.map((r) => r.migration_name)).toEqual(files);
    for (const row of rows) {
      const sum = createHash('sha256')
        .update(fs.readFileSync(path.join(dir, row.migration_name, 'migration.sql')))
        .digest('hex');
      expect(row.checksum).toBe(sum);
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('creates the bootstrap admin once, with a hashed password', async () => {
    const db = t.app.get(DatabaseService);
    const admins = await db.prisma.user.findMany({ where: { role: 'admin' } });
    expect(admins).toHaveLength(1);
    expect(admins[0].email).toBe(ADMIN_EMAIL);
    expect(admins[0].passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('fills the generated tsvector column of a ticket written through the API', async () => {
    const db = t.app.get(DatabaseService);
    const admin = api(t.baseUrl, await login(t.baseUrl));
    const created = await admin.post('/api/v1/tickets', {
      title: 'Resetting passwords',
      description: 'The reminder e-mail never arrives',
      requesterEmail: 'tsv@example.test',
    });
    expect(created.status).toBe(201);
    const [row] = await db.driver.query<{ tsv: string | null }>(
      `SELECT tsv::text AS tsv FROM ticket WHERE id = $1::uuid`,
      [created.body.id],
    );
    // Title words weigh A, description words B (the column's generation expression).
    expect(row.tsv).toMatch(/'password':\d+A/);
    expect(row.tsv).toMatch(/'remind':\d+B/);
    const updated = await admin.patch(`/api/v1/tickets/${created.body.number}`, {
      title: 'Locked account',
    });
    expect(updated.status).toBe(200);
    const [after] = await db.driver.query<{ tsv: string }>(
      `SELECT tsv::text AS tsv FROM ticket WHERE id = $1::uuid`,
      [created.body.id],
    );
    expect(after.tsv).toMatch(/'lock':\d+A/);
    expect(after.tsv).not.toContain("'password'");
  });
});
