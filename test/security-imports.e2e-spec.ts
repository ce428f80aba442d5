import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { api, login, type ApiClient } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';

const dir = join(__dirname, 'fixtures/security/imports');
const hostile = readdirSync(dir).filter((f) => f !== 'valid.md');
const g = globalThis as { __contextDeskPwned?: unknown };

async function upload(t: TestApp, token: string, files: { name: string; text: string }[]) {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([f.text]), f.name);
  const res = await fetch(`${t.baseUrl}/api/v1/imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as { id: string } };
}

async function waitForJob(client: ApiClient, id: string) {
  for (let i = 0; i < 600; i++) {
    const res = await client.get(`/api/v1/jobs/${id}`);
    if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('security: Markdown imports (issue 9 item 1)', () => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  });
  afterAll(() => t?.close());

  it('never evaluates front matter: ---js/---javascript/---coffee, !!js tags, alias bombs fail per file', async () => {
    const files = [...hostile, 'valid.md'].map((name) => ({
      name,
      text: readFileSync(join(dir, name), 'utf8'),
    }));
    const res = await upload(t, admin.token!, files);
    expect(res.status).toBe(202);
    const job = await waitForJob(admin, res.body.id);
    expect(g.__contextDeskPwned).toBeUndefined();
    expect(job.state).toBe('completed');
    expect(job.result.created).toBe(1);
    expect(job.result.failures.map((f: { item: string }) => f.item).sort()).toEqual([...hostile].sort());
    for (const f of job.result.failures) expect(f.reason).toMatch(/^front matter /);
    expect((await admin.get('/api/v1/documents/safe-import')).body).toMatchObject({ title: 'A safe import' });
  });

  it('answers /health/live quickly while hostile front matter is being parsed', async () => {
    // Alias bombs, and the slowest YAML shapes that still fit the size limit.
    const slow = '---\n' + '- \n'.repeat(5000) + '---\nx';
    const bomb = readFileSync(join(dir, 'alias-bomb.md'), 'utf8');
    const files = Array.from({ length: 16 }, (_, i) => ({
      name: `hostile-${i}.md`,
      text: i % 2 ? bomb : slow,
    }));
    let busy = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (busy) {
        const started = performance.now();
        const r = await fetch(`${t.baseUrl}/health/live`);
        expect(r.status).toBe(200);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const res = await upload(t, admin.token!, files);
    busy = false;
    await probe;
    expect(res.status).toBe(202);
    const job = await waitForJob(admin, res.body.id);
    expect(job.result.failed).toBe(16);
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });
});
