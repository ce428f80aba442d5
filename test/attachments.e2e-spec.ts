import { ATTACHMENT_MAX_BYTES } from '@app/attachments';
import { api, login, userClient, type ApiClient } from './support/http';
import { expectNothingWritten } from './support/no-writes';
import { startTestApp, type TestApp } from './support/test-app';

// Files on tickets and documents: stored in the database, size-limited, scope-checked, served
// with safe types; hostile names and programs handled. Real app, real database, real multipart.
describe('attachments (real app, real database)', () => {
  let t: TestApp;
  let admin: ApiClient;
  let ticketNumber: number;
  let documentId: string;

  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );

  const upload = async (
    path: `/api/v1/tickets/${number}/attachments` | `/api/v1/documents/${string}/attachments`,
    bytes: Buffer,
    name: string,
    type: string,
    token = admin.token,
  ) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    return api(t.baseUrl, token).upload(path, form);
  };
  const download = (url: string, token = admin.token) =>
    fetch(`${t.baseUrl}${url}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await startTestApp();
    admin = api(t.baseUrl, await login(t.baseUrl));
    ticketNumber = (
      await admin.post('/api/v1/tickets', {
        title: 'With files',
        description: 'x',
        requesterEmail: 'f@example.test',
      })
    ).body.number;
    documentId = (
      await admin.post('/api/v1/documents', {
        slug: 'with-files',
        title: 'With files',
        body: 'x',
        status: 'draft',
      })
    ).body.id;
  }, 300_000);
  afterAll(() => t?.close());

  it('stores a file on a ticket, lists it and serves an image inline with its sniffed type', async () => {
    // The client claims text/html: the bytes say PNG, and PNG is what is served.
    const res = await upload(
      `/api/v1/tickets/${ticketNumber}/attachments`,
      PNG,
      'screen shot.png',
      'text/html',
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      filename: 'screen shot.png',
      contentType: 'image/png',
      size: PNG.length,
      ticketNumber,
    });
    const list = await admin.get(`/api/v1/tickets/${ticketNumber}/attachments`);
    expect(list.body.items.map((a) => a.id)).toEqual([res.body.id]);
    const file = await download(res.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="screen shot.png"/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('serves anything that is not an image as a download, never as HTML', async () => {
    const html = Buffer.from('<script>alert(document.cookie)</script>');
    const res = await upload(`/api/v1/documents/${documentId}/attachments`, html, 'page.html', 'text/html');
    expect(res.status).toBe(201);
    expect(res.body.contentType).toBe('application/octet-stream');
    const file = await download(res.body.url);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(file.headers.get('content-security-policy')).toContain('sandbox');
    const pdf = await upload(
      `/api/v1/documents/${documentId}/attachments`,
      Buffer.from('%PDF-1.4 x'),
      'a.pdf',
      'application/pdf',
    );
    expect(pdf.body.contentType).toBe('application/pdf');
    expect((await download(pdf.body.url)).headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('reduces hostile names to a plain display name and encodes it safely in the header', async () => {
    const res = await upload(
      `/api/v1/tickets/${ticketNumber}/attachments`,
      Buffer.from('notes'),
      '../../etc/\u202Etxt.exe"\r\nX-Evil: 1.txt',
      'text/plain',
    );
    expect(res.status).toBe(201);
    // No directories, no bidi override, no quote, CR/LF or colon: what is left is a plain name.
    expect(res.body.filename).toBe('txt.exeX-Evil 1.txt');
    const file = await download(res.body.url);
    expect(file.headers.get('x-evil')).toBeNull();
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="txt.exeX-Evil 1.txt"; filename*=UTF-8''txt.exeX-Evil%201.txt`,
    );
    const unicode = await upload(
      `/api/v1/tickets/${ticketNumber}/attachments`,
      Buffer.from('x'),
      'résumé.txt',
      'text/plain',
    );
    expect(unicode.body.filename).toBe('résumé.txt');
    expect((await download(unicode.body.url)).headers.get('content-disposition')).toContain(
      `filename*=UTF-8''r%C3%A9sum%C3%A9.txt`,
    );
  });

  it('refuses programs, the EICAR test virus and empty files with a clear 400', async () => {
    const cases: [Buffer, string][] = [
      [Buffer.from('MZ\x90\x00rest', 'latin1'), 'invoice.pdf'],
      [Buffer.from('\x7fELF\x02\x01', 'latin1'), 'tool'],
      [Buffer.from('echo hi'), 'setup.bat'],
      [Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'), 'eicar.txt'],
      [Buffer.alloc(0), 'empty.txt'],
    ];
    for (const [bytes, name] of cases) {
      const res = await upload(
        `/api/v1/tickets/${ticketNumber}/attachments`,
        bytes,
        name,
        'application/octet-stream',
      );
      expect({ name, status: res.status, field: res.problem.errors?.[0]?.field }).toEqual({
        name,
        status: 400,
        field: 'file',
      });
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });

  it('cuts off a file over the limit with 413 and stores nothing', async () => {
    const before = (await admin.get(`/api/v1/tickets/${ticketNumber}/attachments`)).body.items.length;
    const res = await upload(
      `/api/v1/tickets/${ticketNumber}/attachments`,
      Buffer.alloc(ATTACHMENT_MAX_BYTES + 1, 1),
      'big.bin',
      'application/octet-stream',
    );
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await admin.get(`/api/v1/tickets/${ticketNumber}/attachments`)).body.items.length).toBe(before);
  }, 300_000);

  it('checks scopes through the record: viewers read ticket files but cannot add or delete them', async () => {
    const viewer = await userClient(t.baseUrl, admin, 'viewer');
    const file = (await upload(`/api/v1/tickets/${ticketNumber}/attachments`, PNG, 'v.png', 'image/png'))
      .body;
    expect((await download(file.url, viewer.token)).status).toBe(200);
    const files = async () => (await admin.get(`/api/v1/tickets/${ticketNumber}/attachments`)).body.items;
    const added = await expectNothingWritten(t.app, files, () =>
      upload(`/api/v1/tickets/${ticketNumber}/attachments`, PNG, 'v.png', 'image/png', viewer.token),
    );
    expect(added.status).toBe(403);
    const removed = await expectNothingWritten(t.app, files, () => viewer.raw.delete(file.url));
    expect(removed.status).toBe(403);
    const key = (await admin.post('/api/v1/api-keys', { name: 'kb only', scopes: ['kb:read'] })).body.secret;
    expect((await download(file.url, key)).status).toBe(403);
    expect((await download('/api/v1/attachments/not-a-uuid')).status).toBe(404);
    expect((await admin.get('/api/v1/tickets/999999/attachments')).status).toBe(404);
    expect((await admin.raw.delete(file.url)).status).toBe(204);
    expect((await download(file.url)).status).toBe(404);
    const audit = await admin.get('/api/v1/audit?action=attachment.delete&limit=1');
    expect(audit.body.items[0]).toMatchObject({ targetId: file.id, outcome: 'success' });
  });
});
