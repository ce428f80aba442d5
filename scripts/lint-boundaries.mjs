#!/usr/bin/env node
// Proves the lib boundary rule in eslint.config.mjs fires (run by `npm run check`): for every lib
// (and each MCP file that must not touch the database) it lints a one-line import of every other lib
// and expects a refusal exactly where LIB_IMPORTS forbids it. A config block that silently replaces
// the rule's options (as the MCP override once did) fails here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { LIB_IMPORTS } from '../eslint.config.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({ cwd: root });
const LIBS = Object.keys(LIB_IMPORTS);
const MCP_DOMAIN = ['tools', 'resources', 'prompts', 'domain', 'schemas'].map((f) => `libs/mcp/src/${f}.ts`);

/** [file, import specifier, refused?] */
const cases = [];
for (const lib of LIBS) {
  const files = [`libs/${lib}/src/boundary-probe.ts`, ...(lib === 'mcp' ? MCP_DOMAIN : [])];
  for (const file of files) {
    const noDatabase = MCP_DOMAIN.includes(file);
    for (const other of LIBS.filter((l) => l !== lib)) {
      const refused = !LIB_IMPORTS[lib].includes(other) || (noDatabase && other === 'database');
      cases.push([file, `@app/${other}`, refused]);
    }
    cases.push([file, '@app/core/src/errors', true]); // deep path
    cases.push([file, '../../../apps/server/src/app.module', true]); // into apps/
  }
}

const wrong = [];
for (const [file, spec, refused] of cases) {
  const [result] = await eslint.lintText(`import { x } from '${spec}';\nexport { x };\n`, {
    filePath: path.join(root, file),
  });
  const fired = result.messages.some((m) => m.ruleId === RULE);
  if (fired !== refused) wrong.push(`${file}: import '${spec}' was ${fired ? 'refused' : 'allowed'}`);
}
if (wrong.length) {
  console.error(
    `Lib boundary rule disagrees with LIB_IMPORTS in ${wrong.length} case(s):\n  ${wrong.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`lib boundaries: ${cases.length} imports checked against LIB_IMPORTS`);
