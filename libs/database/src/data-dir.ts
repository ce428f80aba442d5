import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * DATA_DIR holds the embedded database and generated secrets: only the server's user may read
 * it. The directory is created 0700; files already in it (from older versions that created them
 * 0666) are set to 0600 and sub-directories to 0700; the process umask becomes 077 so files the
 * embedded database creates later (WAL segments, new relations) are private too.
 */
export function secureDataDir(dir: string): void {
  if (isMainThread) process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    fs.chmodSync(current, 0o700);
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) fs.chmodSync(full, 0o600);
    }
  }
}
