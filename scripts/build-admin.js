#!/usr/bin/env node
// Builds the web admin (apps/admin) into apps/admin/dist, which the server serves at /admin/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const root = path.join(__dirname, '..');
const config = path.join(root, 'apps', 'admin', 'vite.config.ts');
if (!fs.existsSync(config)) {
  console.log('build:admin: apps/admin not present, skipping');
  process.exit(0);
}
// vite/bin/vite.js is not in vite's package exports: locate it from package.json instead.
const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
const r = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
