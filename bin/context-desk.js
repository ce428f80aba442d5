#!/usr/bin/env node
'use strict';
// Entry point for `npx context-desk`. Runs the compiled CLI (npm run build produces it).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('context-desk: not built yet; run `npm run build` first\n');
  process.exit(1);
}
require(entry);
