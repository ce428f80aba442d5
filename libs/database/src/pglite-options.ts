import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * Server settings for the embedded database, on top of PGlite's own start parameters (which
 * keep its durability settings as they are).
 *
 * shared_buffers: Postgres' default is 128 MB, and PGlite touches the whole buffer pool when it
 * starts (the WebAssembly heap grows to hold it), so it was ~130 MiB of the server's idle RSS.
 * 16 MB (2,048 pages) holds the hot pages of a knowledge base: searches rank in the in-process
 * index and read only a page of documents, and pages that miss come from the OS page cache
 * (the files are on local disk). wal_buffers follows (1/32 of it).
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'];

export function pgliteOptions(dataDir: string | undefined): PGliteOptions {
  const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])];
  return dataDir ? { dataDir, startParams } : { startParams };
}

/**
 * A new data directory is created by `initdb`, which PGlite runs in a second, in-memory
 * instance: the first start peaked at ~900 MiB and kept ~450 MiB of it for good (WebAssembly
 * heaps and compiler memory the allocator keeps; a worker thread still left ~190 MiB). It runs in
 * a short-lived child process instead, whose memory goes back to the OS when it exits; the
 * server then opens the finished directory like on any restart.
 */
export async function initDataDirInChild(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  // Plain JavaScript, so it runs the same from dist/ and from sources (Jest).
  const source = `
    const [pglite, options] = process.argv.slice(1);
    require(pglite).PGlite.create(JSON.parse(options)).then((db) => db.close()).catch((e) => {
      process.stderr.write(String((e && e.message) || e));
      process.exit(1);
    });`;
  const args = ['-e', source, require.resolve('@electric-sql/pglite'), JSON.stringify(pgliteOptions(dir))];
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (err, _out, stderr) =>
      err ? reject(new Error(`initdb failed: ${stderr.trim() || err.message}`)) : resolve(),
    );
  });
}
