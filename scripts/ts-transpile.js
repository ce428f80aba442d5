'use strict';
// TypeScript → CommonJS without type checking (that is `npm run typecheck`'s job), for Jest and
// for running .ts scripts directly (bench/run.js). Also turns the ES modules of packages such as
// @nestjs/* into CommonJS for Jest, whose module loader cannot require() ES modules on Node 20.
const crypto = require('node:crypto');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  allowJs: true,
  inlineSourceMap: true,
  inlineSources: true,
  useDefineForClassFields: false,
};

function transpile(source, filename) {
  if (!/\.[cm]?tsx?$/.test(filename) && /^(import|export)\s/m.test(source)) {
    // An ES module compiled to CommonJS: its own `require` (from createRequire) would clash with
    // the CommonJS one, and CommonJS has no import.meta.
    source = source
      .replace(/(?<![\w$.\-/'"`])require(?![\w$\-'"`])/g, '__esmRequire')
      .replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href")
      .replace(/\bimport\.meta\.resolve\b/g, 'require.resolve')
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename');
  }
  return ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false })
    .outputText;
}

const version = crypto
  .createHash('sha256')
  .update(ts.version + JSON.stringify(compilerOptions) + '1')
  .digest('hex');

module.exports = {
  transpile,
  // Jest transformer interface
  process(source, filename) {
    return { code: transpile(source, filename) };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(version).update(filename).update(source).digest('hex');
  },
};
