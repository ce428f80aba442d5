#!/usr/bin/env node
// `npm run build` / `npm start`: builds what is out of date and skips the rest.
//
//   1. the Prisma client (libs/database/src/generated) when prisma/schema.prisma changed;
//   2. the server, worker and CLI (dist/) with tsc --incremental, then tsc-alias, when a source
//      file, a tsconfig or the generated client changed;
//   3. the web admin (apps/admin/dist) with Vite when its sources changed.
//
// Each step compares a SHA-256 of its inputs (contents, not mtimes: a checkout or a copy does not
// force a rebuild) and of package-lock.json with the one stored beside its output when it last
// succeeded. `--force` rebuilds everything; `npm run build:server` / `build:admin` do one step in full;
// `--prisma-only` stops after the Prisma client.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');
/** `--prisma-only`: just the Prisma client (what the test scripts need before Jest). */
const prismaOnly = process.argv.includes('--prisma-only');

/** Files under `dir` (relative to the root) whose names pass `keep`, skipping `skipDirs`. */
function files(dir, keep, skipDirs = ['node_modules', 'dist', 'generated']) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, d), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!skipDirs.includes(e.name) && !e.name.startsWith('.')) walk(rel);
      } else if (keep(e.name)) out.push(rel);
    }
  };
  walk(dir);
  return out;
}

function hashOf(paths) {
  const h = crypto.createHash('sha256');
  for (const p of [...paths, 'package-lock.json'].sort()) {
    h.update(p + '\0');
    try {
      h.update(fs.readFileSync(path.join(root, p)));
    } catch {
      h.update('(missing)');
    }
  }
  return h.digest('hex');
}

/** Runs `step` unless `stamp` holds `hash` (and `output` exists); stores the hash after success. */
function step(name, { inputs, stamp, output, run }) {
  const hash = hashOf(inputs);
  const stampFile = path.join(root, stamp);
  const upToDate =
    !force &&
    fs.existsSync(path.join(root, output)) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8').trim() === hash;
  if (upToDate) {
    console.log(`build: ${name} is up to date`);
    return;
  }
  const started = Date.now();
  run();
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, hash + '\n');
  console.log(`build: ${name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function node(args) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
const isTs = (n) => n.endsWith('.ts') && !n.endsWith('.spec.ts');

step('Prisma client', {
  inputs: ['prisma/schema.prisma'],
  stamp: 'libs/database/src/generated/.build-hash',
  output: 'libs/database/src/generated/prisma/client.ts',
  run: () => node([path.join(root, 'scripts/prisma.js'), 'generate']),
});

if (prismaOnly) process.exit(0);

step('server, worker and CLI', {
  inputs: [
    'tsconfig.json',
    'tsconfig.build.json',
    'libs/database/src/generated/.build-hash',
    ...['apps/server/src', 'apps/worker/src', 'apps/cli/src', 'libs'].flatMap((d) => files(d, isTs)),
  ],
  stamp: 'dist/.build-hash',
  output: 'dist/apps/server/src/main.js',
  run: () => {
    // Incremental: tsc re-emits only what changed since dist/.tsbuildinfo.
    node([
      bin('typescript', 'bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--incremental',
      '--tsBuildInfoFile',
      'dist/.tsbuildinfo',
    ]);
    node([bin('tsc-alias', 'dist/bin/index.js'), '-p', 'tsconfig.build.json']);
  },
});

if (fs.existsSync(path.join(root, 'apps/admin/vite.config.ts'))) {
  step('web admin', {
    inputs: files('apps/admin', () => true),
    stamp: 'apps/admin/dist/.build-hash',
    output: 'apps/admin/dist/index.html',
    run: () => node([path.join(root, 'scripts/build-admin.js')]),
  });
}
