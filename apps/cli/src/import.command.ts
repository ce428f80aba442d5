import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { DatabaseService } from '@app/database';
import { JobHandlerRegistry, type ImportResult } from '@app/jobs';
import { DocumentsService, ImportHandler, parseUploads, type ParsedImport } from '@app/knowledge';
import { parseOptions } from './args';
import { withDomain } from './cli.module';

const IMPORTABLE = new Set(['.md', '.markdown', '.mdx', '.json']);

/**
 * `import <path>`: Markdown files (a file or a directory, recursively; YAML front matter for
 * slug, title, tags, collection, status) or a JSON export `{"documents":[...]}`, upserted by
 * slug, with a progress bar. Runs against the database directly, or with `--url` through a
 * running server's `POST /api/v1/imports` (needed for an embedded database the server holds
 * open), authenticated with `--token` (a JWT or an API key with kb:write).
 */
export async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, {
    url: { type: 'string' },
    token: { type: 'string' },
  });
  const path = positionals[0];
  if (!path) throw new Error('usage: context-desk import <path> [--url http://host:port --token T]');
  const parsed = await readImport(path);
  const total = parsed.documents.length + parsed.rejected.length;
  if (total === 0) throw new Error(`no Markdown or JSON files found at ${path}`);
  const bar = progressBar(total);
  const result = values.url
    ? await viaServer(values.url, values.token, parsed, bar)
    : await withDomain(async (app) => {
        const handler = new ImportHandler(
          app.get(DocumentsService),
          app.get(DatabaseService),
          new JobHandlerRegistry(),
        );
        return handler.handle({
          id: 'cli',
          queue: 'imports',
          payload: { ...parsed, actorUserId: null },
          attempt: 1,
          maxAttempts: 1,
          progress: async (p) => bar(p),
          checkpoint: null,
          saveCheckpoint: async () => undefined,
        });
      });
  bar(100);
  process.stderr.write('\n');
  for (const f of result.failures) process.stderr.write(`  failed ${f.item}: ${f.reason}\n`);
  const unchanged = total - result.created - result.updated - result.failed;
  console.log(
    `Imported ${total} item(s): ${result.created} created, ${result.updated} updated, ${unchanged} unchanged, ${result.failed} failed.`,
  );
  if (result.failed > 0) throw new Error(`${result.failed} item(s) failed to import`);
}

/** The files at `path` (a file, or a directory's Markdown and JSON files), read by the shared parser. */
async function readImport(path: string): Promise<ParsedImport> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new Error(`${path} does not exist`);
  const files = (st.isDirectory() ? walk(path) : [path]).filter((f) =>
    IMPORTABLE.has(extname(f).toLowerCase()),
  );
  return parseUploads(
    files.map((f) => ({
      name: st.isDirectory() ? relative(path, f) : basename(f),
      text: readFileSync(f, 'utf8'),
    })),
  );
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

async function viaServer(
  url: string,
  token: string | undefined,
  parsed: ParsedImport,
  bar: (pct: number) => void,
): Promise<ImportResult> {
  if (!token) throw new Error('--token is required with --url');
  const base = url.replace(/\/+$/, '').replace(/\/(mcp|api\/v1)$/, '');
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const res = await fetch(`${base}/api/v1/imports`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ documents: parsed.documents }),
  });
  const job = (await res.json().catch(() => ({}))) as { id?: string; detail?: string };
  if (res.status !== 202 || !job.id)
    throw new Error(`the server refused the import: ${res.status} ${job.detail ?? ''}`);
  for (;;) {
    const poll = await fetch(`${base}/api/v1/jobs/${job.id}`, { headers });
    const j = (await poll.json()) as {
      state: string;
      progress: number;
      result: ImportResult | null;
      lastError: string | null;
    };
    bar(j.progress);
    if (j.state === 'failed') throw new Error(`the import job failed: ${j.lastError ?? 'unknown error'}`);
    if (j.state === 'completed' && j.result) {
      // Items rejected while reading files never reached the server.
      return {
        ...j.result,
        failed: j.result.failed + parsed.rejected.length,
        failures: [...parsed.rejected, ...j.result.failures],
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A one-line bar on a terminal; whole tens of percent otherwise. */
function progressBar(total: number): (pct: number) => void {
  let last = -1;
  return (pct) => {
    const p = Math.max(0, Math.min(100, Math.round(pct)));
    if (p === last) return;
    if (process.stderr.isTTY) {
      const filled = Math.round(p / 5);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] ${String(p).padStart(3)}% of ${total}`,
      );
    } else if (Math.floor(p / 10) !== Math.floor(last / 10)) {
      process.stderr.write(`${p}% `);
    }
    last = p;
  };
}
