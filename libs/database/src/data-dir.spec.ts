import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveJwtSecret } from '../../auth/src/jwt-secret';
import { secureDataDir } from './data-dir';
import { openDriver } from './sql-driver';

/** Every path under `dir` whose mode lets the group or others in. */
function exposed(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.mode & 0o077) out.push(`${path.relative(dir, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}

describe('embedded DATA_DIR permissions (issue 9 item 11)', () => {
  const umask = process.umask();
  let root: string;
  beforeEach(() => {
    process.umask(0o022);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-perm-'));
  });
  afterEach(() => {
    process.umask(umask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates DATA_DIR 0700 and every database and secret file 0600', async () => {
    const dataDir = path.join(root, 'data');
    const driver = await openDriver({ kind: 'pglite', dataDir });
    await driver.query('create table t (id int primary key, v text)');
    await driver.query("insert into t select g, repeat('x', 100) from generate_series(1, 500) g");
    await driver.close();
    resolveJwtSecret({ jwtSecret: null, dataDir });
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    expect(fs.readdirSync(path.join(dataDir, 'pgdata')).length).toBeGreaterThan(5);
    expect(exposed(dataDir)).toEqual([]);
  });

  it('tightens a DATA_DIR left 0777/0666 by an older version', async () => {
    const dataDir = path.join(root, 'old');
    fs.mkdirSync(path.join(dataDir, 'pgdata', 'base'), { recursive: true, mode: 0o777 });
    fs.chmodSync(dataDir, 0o777);
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'x\n', { mode: 0o666 });
    fs.writeFileSync(path.join(dataDir, 'pgdata', 'base', 'stale'), 'x', { mode: 0o666 });
    secureDataDir(dataDir);
    expect(exposed(dataDir)).toEqual([]);
  });
});
