/**
 * Start-up time and idle footprint of the built server (issue #10, "the process itself").
 *
 *   npm run build
 *   node bench/run.js bench/embedded-start.ts [--idle 10] [--window 5] [--probe] [--heap]
 *   DATABASE_URL=postgresql://… node bench/run.js bench/embedded-start.ts   # services mode too
 *
 * Runs `node dist/apps/server/src/main.js` (it builds nothing) on a fresh temporary DATA_DIR:
 * a first start, then a restart on the same directory; with DATABASE_URL also the services mode
 * (a first start on that database, then a restart). For each start it reports, from the child
 * process: wall time to the "Ready in" line and to the first 200 from /health/ready, the CPU it
 * used to get there (utime + stime from /proc/<pid>/stat: the box is shared, wall time is not
 * reliable), RSS after `--idle` seconds (VmRSS, and the peak VmHWM), and the idle CPU in ms/s
 * over the following `--window` seconds.
 *
 * --probe preloads bench/startup-probe.js: RSS and CPU at start-up milestones and the top
 * packages by RSS growth while required. --heap writes a heap snapshot after the idle wait
 * (--heapsnapshot-signal) and prints the top constructors by retained self size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const IDLE_S = Number(arg('idle', '10'));
const WINDOW_S = Number(arg('window', '5'));
const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist/apps/server/src/main.js');
const BASELINE = process.argv.includes('--baseline') ? path.resolve(arg('baseline', '')) : null;
const mainOf = (root: string) => path.join(root, 'dist/apps/server/src/main.js');
const TICKS = 100; // USER_HZ on Linux
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** utime + stime of the process and of its waited-for children (the initdb step) in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS) * 1000;
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

interface StartFigures {
  run: string;
  readyLineS: number;
  healthS: number;
  startCpuS: number;
  idleRssMiB: number;
  peakRssMiB: number;
  idleCpuMsPerS: number;
  probe?: { milestones: Record<string, number | string>[]; packages: Record<string, number | string>[] };
  heapTop?: { name: string; selfMiB: number; count: number }[];
}

async function waitReady(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  throw new Error('server not ready in time');
}

async function start(
  run: string,
  env: Record<string, string>,
  cwd: string,
  main = MAIN,
): Promise<StartFigures> {
  const port = await freePort();
  const nodeArgs = [
    ...(flag('probe') ? ['--require', path.join(ROOT, 'bench/startup-probe.js')] : []),
    ...(flag('heap') ? ['--heapsnapshot-signal=SIGUSR2'] : []),
    main,
  ];
  const t0 = Date.now();
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let out = '';
  let err = '';
  let readyLineS = NaN;
  let startCpu = NaN;
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (Number.isNaN(readyLineS) && /Ready in \d+ ms/.test(out)) {
      readyLineS = (Date.now() - t0) / 1000;
      startCpu = cpuMs(pid);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitReady(port, child, t0 + 600_000);
    const healthS = (Date.now() - t0) / 1000;
    if (Number.isNaN(startCpu)) startCpu = cpuMs(pid);
    await sleep(IDLE_S * 1000);
    const idleRssMiB = statusKb(pid, 'VmRSS') / 1024;
    const peakRssMiB = statusKb(pid, 'VmHWM') / 1024;
    const c1 = cpuMs(pid);
    await sleep(WINDOW_S * 1000);
    const idleCpuMsPerS = (cpuMs(pid) - c1) / WINDOW_S;
    const figures: StartFigures = {
      run,
      readyLineS,
      healthS,
      startCpuS: startCpu / 1000,
      idleRssMiB,
      peakRssMiB,
      idleCpuMsPerS,
    };
    const probe = /startup-probe (\{.*\})\n/.exec(err);
    if (probe) figures.probe = JSON.parse(probe[1]) as StartFigures['probe'];
    if (flag('heap')) figures.heapTop = await heapTop(child, cwd);
    return figures;
  } catch (e) {
    process.stderr.write(out + err);
    throw e;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

/** Writes a heap snapshot (SIGUSR2) and sums node self sizes by constructor / type name. */
async function heapTop(child: ChildProcess, cwd: string): Promise<StartFigures['heapTop']> {
  const before = new Set(readdirSync(cwd));
  child.kill('SIGUSR2');
  let file: string | undefined;
  for (let i = 0; i < 600 && !file; i++) {
    await sleep(100);
    file = readdirSync(cwd).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
  }
  if (!file) return [];
  // The snapshot is written in pieces: it is complete once it parses.
  type Snapshot = {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  let snap: Snapshot | null = null;
  for (let i = 0; i < 120 && !snap; i++) {
    await sleep(1000);
    try {
      snap = JSON.parse(readFileSync(path.join(cwd, file), 'utf8')) as Snapshot;
    } catch {
      /* still being written */
    }
  }
  if (!snap) return [];
  rmSync(path.join(cwd, file));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const sums = new Map<string, { self: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const name = type === 'object' || type === 'native' ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    const s = sums.get(name) ?? { self: 0, count: 0 };
    s.self += snap.nodes[i + iSize];
    s.count++;
    sums.set(name, s);
  }
  return [...sums.entries()]
    .sort((a, b) => b[1].self - a[1].self)
    .slice(0, 15)
    .map(([name, s]) => ({
      name: name.slice(0, 60),
      selfMiB: Math.round((s.self / 2 ** 20) * 10) / 10,
      count: s.count,
    }));
}

function print(rows: StartFigures[]): void {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
  console.log(
    '| run | "Ready in" line s | /health/ready s | start CPU s | idle RSS MiB | peak RSS MiB | idle CPU ms/s |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.run} | ${f(r.readyLineS, 2)} | ${f(r.healthS, 2)} | ${f(r.startCpuS, 2)} | ${f(r.idleRssMiB, 0)} | ${f(r.peakRssMiB, 0)} | ${f(r.idleCpuMsPerS)} |`,
    );
  }
  if (BASELINE) {
    console.log('\nthis build / baseline (pairs started one after the other):');
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const [b, t] = [rows[i], rows[i + 1]];
      console.log(
        `  ${t.run.replace('this build: ', '').padEnd(38)} ready ${f(t.healthS / b.healthS, 2)}×  start CPU ${f(t.startCpuS / b.startCpuS, 2)}×  idle RSS ${f(t.idleRssMiB / b.idleRssMiB, 2)}×  idle CPU ${f(t.idleCpuMsPerS / b.idleCpuMsPerS, 2)}×`,
      );
    }
  }
  for (const r of rows) {
    if (r.probe) {
      console.log(`\n${r.run}: milestones (ms since the probe loaded, process CPU ms, MiB)`);
      for (const m of r.probe.milestones)
        console.log(
          `  ${String(m.name).padEnd(26)} at ${m.atMs} ms  cpu ${m.cpuMs} ms  rss ${m.rss}  heap ${m.heapUsed}  external ${m.external}`,
        );
      console.log(`${r.run}: top packages by RSS growth while required (inclusive of what they require)`);
      for (const p of r.probe.packages.slice(0, 15))
        console.log(`  ${String(p.name).padEnd(34)} +${p.rss} MiB  ${p.ms} ms`);
    }
    if (r.heapTop) {
      console.log(`\n${r.run}: heap snapshot, top constructors by self size`);
      for (const h of r.heapTop) console.log(`  ${h.name.padEnd(44)} ${h.selfMiB} MiB  (${h.count})`);
    }
  }
}

async function main(): Promise<void> {
  for (const main of [MAIN, ...(BASELINE ? [mainOf(BASELINE)] : [])])
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const [l1] = loadavg();
  console.log(
    `load average at start ${l1.toFixed(2)}; idle ${IDLE_S} s, idle CPU over the next ${WINDOW_S} s`,
  );
  const work = mkdtempSync(path.join(tmpdir(), 'cd-bench-start-'));
  const rows: StartFigures[] = [];
  try {
    // With --baseline <checkout>, that checkout's build runs each step right before this one
    // (same load, same moment), so the ratios hold even when the absolute times do not.
    const builds: [string, string][] = BASELINE
      ? [
          ['baseline', mainOf(BASELINE)],
          ['this build', MAIN],
        ]
      : [['', MAIN]];
    const label = (name: string, run: string) => (name ? `${name}: ${run}` : run);
    const url = process.env.DATABASE_URL;
    const modes: [string, (i: number) => Record<string, string>][] = [
      ['embedded', (i) => ({ DATA_DIR: path.join(work, `data-${i}`), DATABASE_URL: '', REDIS_URL: '' })],
    ];
    if (url)
      modes.push(['services', (i) => ({ DATA_DIR: path.join(work, `services-${i}`), DATABASE_URL: url })]);
    for (const [mode, envOf] of modes) {
      for (const [step, suffix] of [
        ['first start', mode === 'embedded' ? ' (fresh DATA_DIR)' : ''],
        ['restart', ''],
      ]) {
        for (const [i, [name, main]] of builds.entries())
          rows.push(await start(label(name, `${mode}, ${step}${suffix}`), envOf(i), work, main));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  print(rows);
  console.log(`load average at end ${loadavg()[0].toFixed(2)}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
