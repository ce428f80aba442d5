import { api, login, type ApiClient } from './support/http';
import { startTestApp, type TestApp } from './support/test-app';
import { UPLOAD_LIMITS } from '../apps/server/src/imports/bounded-upload';
import { MAX_IMPORT_JSON_BYTES } from '@app/knowledge';
import badInputs from './fixtures/security/rest-bad-inputs.json';

describe('security: HTTP door (issue 9 items 2, 9, 10, 12)', () => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
  }, 300_000);
  afterAll(() => t?.close());

  describe('headers (item 2)', () => {
    it.each(['/admin/', '/api/docs', '/api/v1/documents', '/health/live'])(
      '%s has strict headers',
      async (p) => {
        const res = await fetch(`${t.baseUrl}${p}`);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
        expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
        expect(csp).toContain("object-src 'none'");
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
      },
    );
  });

  describe('tokens in URLs (item 12)', () => {
    it('refuses ?access_token= and a body access_token on REST', async () => {
      const q = await api(t.baseUrl).get(`/api/v1/documents?access_token=${admin.token}`);
      expect(q.status).toBe(401);
      expect(q.problem.detail).toMatch(/Authorization: Bearer/);
      const b = await api(t.baseUrl).raw.post('/api/v1/tickets', { access_token: admin.token, title: 'x' });
      expect(b.status).toBe(401);
      expect((await admin.get('/api/v1/documents')).status).toBe(200);
    });
  });

  describe('body limits (item 9)', () => {
    const upload = (parts: { name: string; bytes: number }[]) => {
      const form = new FormData();
      for (const p of parts) form.append('files', new Blob([Buffer.alloc(p.bytes, 0x61)]), p.name);
      return fetch(`${t.baseUrl}/api/v1/imports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin.token}` },
        body: form,
      });
    };

    it('answers 413 problem+json for a file over the per-file limit', async () => {
      const res = await upload([{ name: 'big.md', bytes: UPLOAD_LIMITS.maxFileBytes + 1 }]);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });

    it('answers 413 when the files together pass the total limit', async () => {
      const per = UPLOAD_LIMITS.maxFileBytes - 1024;
      const n = Math.ceil(UPLOAD_LIMITS.maxTotalBytes / per) + 1;
      const res = await upload(Array.from({ length: n }, (_, i) => ({ name: `f${i}.md`, bytes: per })));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/in total/);
    });

    it('refuses a declared 100 MB upload without buffering it', async () => {
      const rssBefore = process.memoryUsage().rss;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const boundary = 'cdboundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="huge.md"\r\n\r\n`,
      );
      const body = new ReadableStream({
        pull(controller) {
          if (sent === 0) controller.enqueue(head);
          if (sent >= 100) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${t.baseUrl}/api/v1/imports`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${admin.token}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
        },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
    });

    it('answers 413 for a JSON body over the limit', async () => {
      const res = await admin.post('/api/v1/tickets', {
        title: 'x',
        description: 'y'.repeat(3 * 1024 * 1024),
      });
      expect(res.status).toBe(413);
    });
  });

  describe('JSON import body limit (MAX_IMPORT_JSON_BYTES)', () => {
    const importJson = (bodyBytes: number) =>
      admin.raw.request(
        'POST',
        '/api/v1/imports',
        JSON.stringify({
          documents: [{ slug: `big-${bodyBytes}`, title: 'Big', body: 'z'.repeat(bodyBytes) }],
        }),
      );

    it('accepts a JSON import over the general 2 MB limit', async () => {
      const res = await importJson(3 * 1024 * 1024);
      expect(res.status).toBe(202);
    });

    it('answers 413 problem+json above 32 MiB', async () => {
      const res = await importJson(MAX_IMPORT_JSON_BYTES + 1024);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('bad input is a 4xx, never a 5xx (item 10)', () => {
    it.each(badInputs.paths)('GET %s', async (p) => {
      const res = await admin.raw.get(p);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });

    it('refuses 100k-deep JSON with 400', async () => {
      for (const path of ['/api/v1/documents', '/api/v1/tickets', '/api/v1/imports']) {
        const res = await admin.raw.request('POST', path, '['.repeat(100_000) + ']'.repeat(100_000));
        expect(res.status).toBe(400);
        const obj = await admin.raw.request('POST', path, '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
        expect(obj.status).toBe(400);
      }
    });

    it('refuses NUL bytes in JSON bodies with 400', async () => {
      const res = await admin.post('/api/v1/documents', { slug: 'nul', title: 'a\u0000b', body: 'x' });
      expect(res.status).toBe(400);
    });
  });
});
