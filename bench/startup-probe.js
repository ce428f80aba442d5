// Start-up probe for bench/embedded-start.ts, preloaded with `node --require`: it changes nothing
// in the server and reports, on stderr as one `startup-probe {json}` line when "Ready in" is
// printed, where start-up time and memory went:
// - packages: every top-level package the process requires (outermost require of a package;
//   nested requires count in their parent), with wall ms and RSS growth while it loaded;
// - milestones: RSS / heap / external at the embedded database being open (PGlite.create
//   resolved), the Nest application built, and ready.
'use strict';
const Module = require('node:module');

const t0 = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (n) => Math.round((n / 2 ** 20) * 10) / 10;
const mem = () => {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    atMs: Math.round(ms()),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rss: mib(m.rss),
    heapUsed: mib(m.heapUsed),
    external: mib(m.external),
  };
};

const packages = new Map();
const milestones = [{ name: 'probe loaded', ...mem() }];
let depth = 0;

function packageOf(request) {
  if (request.startsWith('.') || request.startsWith('/') || request.startsWith('node:')) return null;
  if (Module.builtinModules.includes(request)) return null;
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function wrapPglite(exports) {
  const PGlite = exports && exports.PGlite;
  if (!PGlite || PGlite.__probed) return;
  PGlite.__probed = true;
  const create = PGlite.create;
  PGlite.create = async function (...args) {
    milestones.push({ name: 'PGlite.create called', ...mem() });
    const db = await create.apply(this, args);
    milestones.push({ name: 'PGlite open', ...mem() });
    return db;
  };
}

function wrapNest(exports) {
  const NestFactory = exports && exports.NestFactory;
  if (!NestFactory || NestFactory.__probed) return;
  NestFactory.__probed = true;
  const create = NestFactory.create;
  NestFactory.create = async function (...args) {
    milestones.push({ name: 'NestFactory.create called', ...mem() });
    const app = await create.apply(this, args);
    milestones.push({ name: 'Nest app built', ...mem() });
    return app;
  };
}

const load = Module._load;
Module._load = function (request) {
  const pkg = packageOf(request);
  const outer = pkg && depth === 0 && !packages.has(pkg);
  if (!outer) {
    const exports = load.apply(this, arguments);
    if (pkg === '@electric-sql/pglite') wrapPglite(exports);
    return exports;
  }
  const before = mem();
  depth++;
  try {
    const exports = load.apply(this, arguments);
    if (pkg === '@electric-sql/pglite') wrapPglite(exports);
    if (pkg === '@nestjs/core') wrapNest(exports);
    return exports;
  } finally {
    depth--;
    const after = mem();
    packages.set(pkg, { ms: after.atMs - before.atMs, rss: mib((after.rss - before.rss) * 2 ** 20) });
  }
};

const write = process.stdout.write.bind(process.stdout);
process.stdout.write = function (chunk, ...rest) {
  if (String(chunk).includes('Ready in ')) {
    milestones.push({ name: 'ready', ...mem() });
    const top = [...packages.entries()]
      .map(([name, v]) => ({ name, ...v }))
      .sort((a, b) => b.rss - a.rss || b.ms - a.ms);
    process.stderr.write(`startup-probe ${JSON.stringify({ milestones, packages: top })}\n`);
  }
  return write(chunk, ...rest);
};
