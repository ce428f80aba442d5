import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import { McpHttpService } from '@app/mcp';
import { startTestApp, type TestApp } from './support/test-app';
import { testDatabaseEnv } from './support/test-db';
import { api, login, type ApiClient } from './support/http';
import { waitFor } from './support/mcp-client';

const root = path.resolve(__dirname, '..');

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? m : Math.max(m, newest(p));
    return e.name.endsWith('.ts') ? Math.max(m, statSync(p).mtimeMs) : m;
  }, 0);

/** The built CLI when `npm run build` is newer than every source file (CI); else the TS sources. */
function cliArgs(): string[] {
  const built = path.join(root, 'dist/apps/cli/src/main.js');
  const fresh =
    existsSync(built) &&
    statSync(built).mtimeMs >
      Math.max(newest(path.join(root, 'libs')), newest(path.join(root, 'apps/cli/src')));
  return fresh ? [built] : [path.join(root, 'bench/run.js'), 'apps/cli/src/main.ts'];
}

/** Spawns `context-desk mcp` from the TypeScript sources (no build needed) and connects a client. */
async function spawnCli(
  env: Record<string, string>,
  args: string[] = [],
  onNotification?: (m: string, p: any) => void,
) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...cliArgs(), 'mcp', ...args],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += String(d)));
  const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
  if (onNotification) client.fallbackNotificationHandler = async (n) => onNotification(n.method, n.params);
  try {
    await client.connect(transport);
  } catch (e) {
    await transport.close().catch(() => undefined);
    throw new Error(`CLI did not start: ${(e as Error).message}\n${stderr}`);
  }
  return { client, stderr: () => stderr };
}

/** Probes in place (the SDK probes a plain StdioClientTransport on a second child process). */
class InPlaceStdioTransport extends ModernStdioTransport {}

/** The same command driven by an SDK v2 client pinned to protocol 2026-07-28. */
async function spawnModernCli(env: Record<string, string>, args: string[] = []) {
  const transport = new InPlaceStdioTransport({
    command: process.execPath,
    args: [...cliArgs(), 'mcp', ...args],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stderr: 'pipe',
  });
  const client = new ModernClient(
    { name: 'stdio-e2e-modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(transport);
  return client;
}

describe('MCP over stdio: `context-desk mcp` (direct and --url bridge)', () => {
  let t: TestApp | null = null;
  let dataDir: string;
  let database: { env: Record<string, string>; drop: () => Promise<void> };
  let admin: ApiClient;
  let apiKey: string;
  let readOnlyKey: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'cd-mcp-stdio-'));
    const pg = await testDatabaseEnv();
    // PGlite on disk (not in memory) so the CLI can open the same data directory after the server stops.
    database = pg.env.DATABASE_URL ? pg : { env: { DATA_DIR: dataDir }, drop: async () => undefined };
    t = await startTestApp({ database, env: { EVENT_POLL_MS: '50' } });
    admin = api(t.baseUrl, await login(t.baseUrl));
    const key = await admin.post('/api/v1/api-keys', {
      name: 'desktop',
      scopes: ['kb:read', 'kb:write', 'tickets:read', 'tickets:write', 'users:read'],
    });
    expect(key.status).toBe(201);
    apiKey = key.body.secret;
    readOnlyKey = (await admin.post('/api/v1/api-keys', { name: 'ro', scopes: ['kb:read'] })).body.secret;
    expect(
      (
        await admin.post('/api/v1/documents', {
          slug: 'stdio-guide',
          title: 'Stdio guide',
          body: 'Desktop agents talk over stdio.',
          status: 'published',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bridges stdio to a running server with --url, including notifications', async () => {
    const notes: { method: string; params: any }[] = [];
    const sessionsBefore = t!.app.get(McpHttpService).stats().sessions;
    const { client, stderr } = await spawnCli(
      { CONTEXT_DESK_API_KEY: apiKey, DATA_DIR: 'memory://' },
      ['--url', `${t!.baseUrl}/mcp`],
      (method, params) => notes.push({ method, params }),
    );
    let closed = false;
    try {
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name)).toContain('create_ticket');
      const res: any = await client.callTool({
        name: 'search_knowledge',
        arguments: { query: 'desktop agents stdio' },
      });
      expect(res.structuredContent.results[0].uri).toBe('kb://documents/stdio-guide');
      await client.subscribeResource({ uri: 'kb://documents/stdio-guide' });
      const doc = await admin.get('/api/v1/documents/stdio-guide');
      await admin.patch(
        '/api/v1/documents/stdio-guide',
        { body: 'Changed over REST.' },
        { 'If-Match': String(doc.body.version) },
      );
      await waitFor(
        () => notes.find((n) => n.method === 'notifications/resources/updated'),
        'resources/updated over the bridge',
      );
      expect(t!.app.get(McpHttpService).stats().sessions).toBe(sessionsBefore + 1);
      await client.close();
      closed = true;
      // Closing stdin ends the remote session (DELETE) and exits without a stack overflow.
      await waitFor(() => t!.app.get(McpHttpService).stats().sessions === sessionsBefore, 'session DELETE');
      expect(stderr()).not.toMatch(/RangeError|Maximum call stack/);
    } finally {
      if (!closed) await client.close();
    }
  });

  it('bridges a 2026-07-28 client (server/discover, subscriptions/listen) to the server', async () => {
    const client = await spawnModernCli({ CONTEXT_DESK_API_KEY: apiKey, DATA_DIR: 'memory://' }, [
      '--url',
      `${t!.baseUrl}/mcp`,
    ]);
    try {
      expect(client.getProtocolEra()).toBe('modern');
      const res: any = await client.callTool({ name: 'get_document', arguments: { slug: 'stdio-guide' } });
      expect(res.structuredContent.slug).toBe('stdio-guide');
      const updates: string[] = [];
      client.setNotificationHandler(
        'notifications/resources/updated',
        async (n) => void updates.push(n.params.uri),
      );
      const sub = await client.listen({ resourceSubscriptions: ['kb://documents/stdio-guide'] });
      const doc = await admin.get('/api/v1/documents/stdio-guide');
      await admin.patch(
        '/api/v1/documents/stdio-guide',
        { tags: ['listen'] },
        { 'If-Match': String(doc.body.version) },
      );
      await waitFor(() => updates.length > 0, 'resources/updated on a listen stream over the bridge');
      await sub.close();
    } finally {
      await client.close();
    }
  });

  it('refuses a bad key in bridge mode with an actionable error', async () => {
    await expect(
      spawnCli({ CONTEXT_DESK_API_KEY: 'cdk_not-a-real-key', DATA_DIR: 'memory://' }, [
        '--url',
        `${t!.baseUrl}/mcp`,
      ]),
    ).rejects.toThrow(/401|refused|Unauthorized/i);
  });

  it('serves the database directly when no --url is given (server stopped first on PGlite)', async () => {
    await t!.close();
    t = null;
    const { client } = await spawnCli({ CONTEXT_DESK_API_KEY: readOnlyKey, ...database.env });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name).sort()).toEqual([
        'get_document',
        'get_document_version',
        'list_document_versions',
        'search_knowledge',
        'whoami',
      ]);
      const doc: any = await client.callTool({ name: 'get_document', arguments: { slug: 'stdio-guide' } });
      expect(doc.structuredContent).toMatchObject({ slug: 'stdio-guide', body: 'Changed over REST.' });
      const read = await client.readResource({ uri: 'kb://documents/stdio-guide' });
      expect(read.contents[0].mimeType).toBe('text/markdown');
      const denied: any = await client.callTool({
        name: 'create_document',
        arguments: { slug: 'x', title: 'x', body: 'x' },
      });
      expect(denied.isError).toBe(true);
      expect(denied.content[0].text).toMatch(/kb:write/);
    } finally {
      await client.close();
    }
    const modern = await spawnModernCli({ CONTEXT_DESK_API_KEY: readOnlyKey, ...database.env });
    try {
      expect(modern.getProtocolEra()).toBe('modern');
      const { tools } = await modern.listTools();
      expect(tools.map((x) => x.name).sort()).toEqual([
        'get_document',
        'get_document_version',
        'list_document_versions',
        'search_knowledge',
        'whoami',
      ]);
      const { resourceTemplates } = await modern.listResourceTemplates();
      expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['kb://documents/{slug}']);
    } finally {
      await modern.close();
    }
  });
});
