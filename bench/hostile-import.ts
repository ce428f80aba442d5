/**
 * Hostile Markdown imports (issue 9 item 1): what front matter built to be slow costs the
 * server's event loop. The server runs as a child process on a fresh embedded database; the same
 * run imports, through `POST /api/v1/imports`, N files of each kind: `plain` (no front matter,
 * the same size as the hostile files: the baseline), `valid` (small, ordinary front matter) and
 * `hostile` (YAML alias bombs and the slowest shapes that fit FRONT_MATTER_LIMITS).
 *
 *   node bench/run.js bench/hostile-import.ts [--files 48] [--rounds 3]
 *
 * Reported per file, from /proc: CPU of the server's main thread (`/proc/<pid>/task/<pid>/stat`,
 * the thread that runs the event loop) and of the whole process (the parse worker included), and
 * the ratios hostile / plain. A parse on the event loop would show as main-thread CPU; off it,
 * the hostile cost lands on the worker. Then, in separate runs (so its requests do not count in
 * the CPU figures), for information only (wall-clock, this machine, this load): the slowest
 * `/health/live` answer seen while each kind of import was uploading.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startBenchServer } from './bench-server';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const FILES = Number(arg('files', '48'));
const ROUNDS = Number(arg('rounds', '3'));
const ROOT = path.resolve(__dirname, '..');
const ADMIN = { email: 'bench@example.test', password: 'Bench-password-for-imports-9' };
const TICKS = 100; // USER_HZ on Linux

/** utime + stime in seconds, from a /proc stat line (fields after the parenthesised name). */
function cpuOf(statPath: string): number {
  const line = readFileSync(statPath, 'utf8');
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

const validFile = (i: number) => ({
  name: `valid-${i}.md`,
  text: `---\ntitle: Valid ${i}\ntags: [bench, import]\nstatus: draft\n---\n# Valid ${i}\n\nBody ${i}.`,
});
const bomb = readFileSync(path.join(ROOT, 'test/fixtures/security/imports/alias-bomb.md'), 'utf8');
const slow = '---\n' + '- \n'.repeat(5000) + '---\nx';
const hostileFile = (i: number) => ({ name: `hostile-${i}.md`, text: i % 2 ? bomb : slow });
const plainFile = (i: number) => ({ name: `plain-${i}.md`, text: `# Plain ${i}\n\n` + 'word '.repeat(3000) });
const KINDS = { plain: plainFile, valid: validFile, hostile: hostileFile } as const;
type Kind = keyof typeof KINDS;

async function main(): Promise<void> {
  const srv = await startBenchServer({ admin: ADMIN, tag: 'hostile', env: { RUN_JOBS: 'true' } });
  const { base, pid, token } = srv;
  try {
    const importOnce = async (files: { name: string; text: string }[], probing: boolean) => {
      const form = new FormData();
      for (const f of files) form.append('files', new Blob([f.text]), f.name);
      let busy = probing;
      let slowest = 0;
      const probe = (async () => {
        while (busy) {
          const t0 = performance.now();
          await (await fetch(`${base}/health/live`)).arrayBuffer();
          slowest = Math.max(slowest, performance.now() - t0);
        }
      })();
      const main0 = cpuOf(`/proc/${pid}/task/${pid}/stat`);
      const all0 = cpuOf(`/proc/${pid}/stat`);
      const res = await fetch(`${base}/api/v1/imports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      const main1 = cpuOf(`/proc/${pid}/task/${pid}/stat`);
      const all1 = cpuOf(`/proc/${pid}/stat`);
      busy = false;
      await probe;
      if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
      // Let the job finish (outside the measured window) so that it does not land in the next one.
      const { id } = (await res.json()) as { id: string };
      for (;;) {
        const job = (await (
          await fetch(`${base}/api/v1/jobs/${id}`, { headers: { Authorization: `Bearer ${token}` } })
        ).json()) as { state: string };
        if (job.state === 'completed' || job.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { mainCpu: main1 - main0, allCpu: all1 - all0, slowest };
    };

    const files = (kind: Kind, round: number) =>
      Array.from({ length: FILES }, (_, i) => KINDS[kind](round * FILES + i));
    const cpu = { plain: { main: 0, all: 0 }, valid: { main: 0, all: 0 }, hostile: { main: 0, all: 0 } };
    const slowest = { plain: 0, valid: 0, hostile: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of Object.keys(KINDS) as Kind[]) {
        const m = await importOnce(files(kind, r), false);
        cpu[kind].main += m.mainCpu;
        cpu[kind].all += m.allCpu;
      }
    }
    for (const kind of Object.keys(KINDS) as Kind[])
      slowest[kind] = (await importOnce(files(kind, ROUNDS), true)).slowest;
    const perFile = (s: number) => +((1e3 * s) / (FILES * ROUNDS)).toFixed(2);
    const rows = (Object.keys(KINDS) as Kind[]).map((kind) => ({
      kind,
      mainThreadCpuMsPerFile: perFile(cpu[kind].main),
      processCpuMsPerFile: perFile(cpu[kind].all),
      slowestLivenessMs: Math.round(slowest[kind]),
    }));
    console.table(rows);
    const ratio = (a: number, b: number) => +(a / b).toFixed(2);
    console.log(
      JSON.stringify({
        files: FILES,
        rounds: ROUNDS,
        hostileVsPlainMainThread: ratio(cpu.hostile.main, cpu.plain.main),
        hostileVsPlainProcess: ratio(cpu.hostile.all, cpu.plain.all),
      }),
    );
  } finally {
    await srv.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
