// Jest runs TypeScript through SWC. NestJS 12 ships ES modules only; Node 20 loads them from
// CommonJS natively, but Jest's own module loader cannot (before Node 24.9), so @nestjs is
// transformed to CommonJS here as well. Type checking is `npm run typecheck`'s job.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

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
  'events',
  'jobs',
  'mcp',
];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/admin/'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@apidevtools)/)'],
  moduleNameMapper: Object.fromEntries(libs.map((l) => [`^@app/${l}$`, `<rootDir>/libs/${l}/src`])),
  testTimeout: 60000,
  maxWorkers: 2,
};
