import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';

/** The owner pid decides liveness (below); mtime staleness only as a last resort, so a busy event loop never loses the lock. */
const STALE_MS = 24 * 3600_000;
const OWNER_FILE = 'owner.json';

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

/**
 * Exclusive use of an embedded DATA_DIR by one process (PGlite is one single-session database
 * in those files: two processes writing it corrupt it). proper-lockfile creates
 * `DATA_DIR/.lock` atomically and keeps its mtime fresh; we also record the owner's pid so that
 * a lock left by a process killed with SIGKILL is taken over at once when that pid is gone,
 * instead of only once the lock turns stale.
 *
 * Returns the release function. Throws {@link DataDirLockedError} when a live process owns it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, '.lock');
  const opts: lockfile.LockOptions = {
    stale: STALE_MS,
    realpath: false,
    lockfilePath: lockPath,
    // The lock was lost (its directory removed or taken over): stop writing at once.
    onCompromised: (err) => {
      process.stderr.write(`context-desk: lost the lock on DATA_DIR ${dataDir}: ${err.message}\n`);
      process.exit(1);
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const owner = readOwner(lockPath);
    // No owner file: another process is taking the lock right now (or died in that instant,
    // in which case proper-lockfile calls the lock stale after STALE_MS).
    if (!owner || isAlive(owner)) {
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by another Context Desk process` +
          (owner ? ` (pid ${owner.pid} on ${owner.host})` : '') +
          '; stop it first, or point this command at the running server (e.g. `mcp --url`)',
      );
    }
    // Its owner died without releasing it (kill -9, power loss): take it over.
    fs.rmSync(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(dataDir, opts).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOCKED')
        throw new DataDirLockedError(`DATA_DIR ${dataDir} was just locked by another process`);
      throw err;
    });
  }
  const owner: Owner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(lockPath, OWNER_FILE), JSON.stringify(owner));
  return async () => {
    // proper-lockfile removes the lock directory with rmdir: take the owner file out first, or
    // the directory stays and a later open in this same (live) process finds it "in use".
    fs.rmSync(path.join(lockPath, OWNER_FILE), { force: true });
    await release().catch(() => undefined);
  };
}

function readOwner(lockPath: string): Owner | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockPath, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return null; // being created right now, or an old lock without owner: proper-lockfile's mtime decides
  }
}

/** Whether the process that wrote the lock still runs (only knowable on the same host). */
function isAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true;
  // A container restarted after a crash often gets the same pid as the dead owner: that is us.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
