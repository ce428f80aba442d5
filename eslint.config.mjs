import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Which lib may import which (docs/architecture.md). A lib imports other libs only through their
 * public API (`@app/<lib>`, never a deep path) and never from apps/; anything not listed is refused.
 */
const INFRA = ['config', 'core', 'database', 'observability', 'redis'];
export const LIB_IMPORTS = {
  core: [],
  config: ['core'],
  database: ['config', 'core'],
  redis: ['config', 'core'],
  observability: ['config', 'core', 'database'],
  events: INFRA,
  jobs: [...INFRA, 'events'],
  users: [...INFRA, 'events'],
  knowledge: [...INFRA, 'events', 'jobs'],
  tickets: [...INFRA, 'events', 'jobs', 'users'],
  attachments: INFRA,
  webhooks: [...INFRA, 'events', 'jobs'],
  auth: [...INFRA, 'events', 'users'],
  oauth: [...INFRA, 'events', 'auth', 'users'],
  mcp: [...INFRA, 'auth', 'events', 'knowledge', 'tickets', 'users'],
};
const LIBS = Object.keys(LIB_IMPORTS);

/** The import patterns a lib's files may not use (a later flat-config block replaces, not adds to, them). */
const boundaryPatterns = (lib) => [
  {
    group: LIBS.filter((l) => l !== lib && !LIB_IMPORTS[lib].includes(l)).map((l) => `@app/${l}`),
    message: `libs/${lib} may import only ${LIB_IMPORTS[lib].map((l) => '@app/' + l).join(', ') || 'no other lib'} (see LIB_IMPORTS in eslint.config.mjs and docs/architecture.md).`,
  },
  {
    group: ['@app/*/*'],
    message: 'Import a lib through its public API (@app/<lib>), not a deep path.',
  },
  {
    group: ['**/apps/**', '**/libs/**'],
    message: 'Libs never import from apps/, and reach other libs through @app/<lib>.',
  },
];
const restrictImports = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

/** Files of libs/mcp that reach data only through the domain services (McpDomain). */
export const MCP_DOMAIN_FILES = 'libs/mcp/src/{tools,resources,prompts,domain,schemas}.ts';

const boundaries = [
  ...LIBS.map((lib) => ({
    files: [`libs/${lib}/src/**/*.ts`],
    rules: restrictImports(boundaryPatterns(lib)),
  })),
  {
    // Same boundaries as the rest of libs/mcp, plus no @app/database.
    files: [MCP_DOMAIN_FILES],
    rules: restrictImports([
      ...boundaryPatterns('mcp'),
      { group: ['@app/database'], message: 'Call a domain service (McpDomain) instead.' },
    ]),
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'libs/database/src/generated/**',
      'apps/admin/dist/**',
      '.data/**',
      'artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @app/config only.' },
      ],
    },
  },
  {
    // Scripts, configs and the plugin example run on Node as they are (CommonJS .js, ES modules .mjs).
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        WebAssembly: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Functions the browser suite runs inside the page.
    files: ['test/browser/**', 'bench/admin-load.mjs'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', Event: 'readonly', localStorage: 'readonly' },
    },
  },
  {
    files: ['libs/config/src/**', 'test/**', 'bench/**', '**/*.spec.ts', 'prisma.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...boundaries,
  {
    // A constructor parameter typed `X | null` has `Object` as its emitted design type: without
    // @Inject(X), Nest injects nothing and @Optional() hides it (the in-process job runner was
    // never injected this way, and every job waited for the idle poll).
    files: [
      'libs/**/*.ts',
      'apps/server/**/*.ts',
      'apps/worker/**/*.ts',
      'apps/cli/**/*.ts',
      'plugins/**/*.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ':matches(TSParameterProperty, Identifier, AssignmentPattern):has(Decorator Identifier[name="Optional"]):not(:has(Decorator Identifier[name="Inject"])):has(TSUnionType)',
          message:
            'An @Optional() parameter typed as a union needs @Inject(<token>): its emitted type is Object.',
        },
      ],
    },
  },
  {
    // Each lib names its public API: what it exports is a decision, not whatever its files export.
    files: ['libs/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name the exports of a lib (no export *).' },
      ],
    },
  },
  {
    // Tests read loosely typed JSON responses.
    files: ['test/**', 'bench/**', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
