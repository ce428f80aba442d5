#!/usr/bin/env node
// Runs the Prisma CLI without its native schema engine download. `generate`, `validate` and
// `format` never execute that engine, but the CLI insists that the file exists, so point it at
// the Node binary (present on every OS). See offline-toolchain.md.
'use strict';
const { spawnSync } = require('node:child_process');

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
