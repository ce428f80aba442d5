#!/usr/bin/env node
// Runs a TypeScript bench script without a build step: `node bench/run.js bench/retrieval.ts [args]`.
// Our own .ts files are compiled on load by scripts/ts-transpile.js (decorators + metadata, CommonJS);
// `@app/<lib>` resolves to libs/<lib>/src. node_modules load natively (Node 20 require(esm)).
'use strict';
const path = require('node:path');
const Module = require('node:module');
const { transpile } = require('../scripts/ts-transpile.js');

const root = path.resolve(__dirname, '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@app\/([a-z-]+)(\/.*)?$/.exec(request);
  if (m) request = path.join(root, 'libs', m[1], 'src', m[2] ?? '');
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  module._compile(transpile(source, filename), filename);
};

const script = process.argv[2];
if (!script) {
  console.error('usage: node bench/run.js <script.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(script));
