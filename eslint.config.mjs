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
  // The queue. It still runs the knowledge handlers (imports, indexing) until they move into
  // libs/knowledge (issue 11); then 'knowledge' leaves this list.
  jobs: [...INFRA, 'events', 'knowledge'],
  users: [...INFRA, 'events'],
  knowledge: [...INFRA, 'events', 'jobs'],
  tickets: [...INFRA, 'events', 'jobs', 'users'],
  webhooks: [...INFRA, 'events', 'jobs'],
  auth: [...INFRA, 'events', 'users'],
  oauth: [...INFRA, 'auth', 'users'],
  mcp: [...INFRA, 'auth', 'events', 'knowledge', 'tickets', 'users'],
};
const LIBS = Object.keys(LIB_IMPORTS);

const boundaries = LIBS.map((lib) => ({
  files: [`libs/${lib}/src/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
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
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'libs/database/src/generated/**',
      'apps/admin/dist/**',
      '.data/**',
      'artifacts/**',
      '**/*.js',
      '**/*.mjs',
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
    files: ['libs/config/src/**', 'test/**', 'bench/**', '**/*.spec.ts', 'prisma.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...boundaries,
  {
    // MCP tools, resources and prompts reach data only through the domain services (McpDomain).
    files: ['libs/mcp/src/{tools,resources,prompts,domain,schemas}.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@app/database'], message: 'Call a domain service (McpDomain) instead.' }] },
      ],
    },
  },
  {
    // Tests read loosely typed JSON responses.
    files: ['test/**', 'bench/**', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
