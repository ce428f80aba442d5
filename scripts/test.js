#!/usr/bin/env node
// The test suite in three sizes (all of them is `npm test`, what CI runs):
//
//   npm run test:unit   *.spec.ts beside the code in apps/ and libs/, and test/*.service-spec.ts: the
//                       domain services on a PGlite copy (test/support/factories.ts); no server, seconds
//   npm run test:e2e    test/*.e2e-spec.ts: the real app on a real database through real clients
//   npm run test:slow   the e2e files that spawn processes or browsers, fuzz, or load the server
//
// Extra arguments go to Jest (e.g. `npm run test:e2e -- test/tickets.e2e-spec.ts`).
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
/** e2e files that are slow by nature; test:e2e leaves them to test:slow. */
const SLOW = [
  'admin-api-types', // builds the OpenAPI document and regenerates the admin's types
  'back-pressure',
  'browser',
  'mcp-stdio',
  'oauth-mcp-remote',
  'search-index',
  'security-fuzz',
  'server-process',
  'webhooks-durable', // spawns the CLI
].map((name) => `/test/${name}\\.e2e-spec\\.ts$`);
const BASE_IGNORE = ['/node_modules/', '/dist/', '<rootDir>/apps/admin/'];

const [size, ...rest] = process.argv.slice(2);
const sizes = {
  unit: ['--testPathPatterns', '/(apps|libs)/.*\\.spec\\.ts$', '/test/.*\\.service-spec\\.ts$'],
  e2e: ['--testPathPatterns', '\\.e2e-spec\\.ts$', '--testPathIgnorePatterns', ...BASE_IGNORE, ...SLOW],
  slow: ['--testPathPatterns', ...SLOW],
};
if (!sizes[size]) {
  console.error(`usage: node scripts/test.js ${Object.keys(sizes).join('|')} [jest args]`);
  process.exit(2);
}
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root }).status ?? 1;
let status = run([path.join(root, 'scripts/build.js'), '--prisma-only']);
if (status === 0)
  status = run([
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    path.join(root, 'node_modules/jest/bin/jest.js'),
    ...sizes[size],
    ...rest,
  ]);
process.exit(status);
