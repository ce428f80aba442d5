// Jest compiles TypeScript with scripts/ts-transpile.js (TypeScript's transpileModule, no type
// checking: that is `npm run typecheck`). NestJS 12 ships ES modules only; Node 20 loads them from
// CommonJS natively, but Jest's module loader cannot (before Node 24.9), so @nestjs and the other
// ESM-only packages are compiled to CommonJS by the same transformer.
const transformer = '<rootDir>/scripts/ts-transpile.js';

const libs = [
  'config',
  'database',
  'redis',
  'observability',
  'core',
  'users',
  'auth',
  'knowledge',
  'tickets',
  'attachments',
  'events',
  'jobs',
  'webhooks',
  'mcp',
  'oauth',
];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: [
    '<rootDir>/{apps,libs}/**/*.spec.ts',
    '<rootDir>/test/**/*.service-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/admin/'],
  transform: { '^.+\\.(t|j|mj)s$': transformer },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@apidevtools|oidc-provider|jose|marked|htmlparser2|domhandler|domutils|dom-serializer|domelementtype|entities)/)',
  ],
  moduleNameMapper: Object.fromEntries(libs.map((l) => [`^@app/${l}$`, `<rootDir>/libs/${l}/src`])),
  // A guard against hangs, not a speed check: app start under a loaded 2-core CI box has taken
  // over 120 s in a beforeAll.
  testTimeout: 300000,
  maxWorkers: 2,
};
