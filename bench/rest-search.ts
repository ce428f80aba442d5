/**
 * REST search latency on a generated help center.
 *
 *   node bench/run.js bench/rest-search.ts [--docs 20000] [--queries 300]
 *
 * Starts the real server app (in-memory PGlite, or DATABASE_URL when set: use a throw-away
 * database), loads generated help-center articles through DocumentsService.createMany (chunking
 * and BM25 index included, as every write), then sends search requests over real HTTP to
 * GET /api/v1/documents?q=... one at a time and reports p50/p95 latency.
 */
import { loadConfig } from '@app/config';
import { systemPrincipal } from '@app/core';
import { DatabaseService } from '@app/database';
import { DocumentsService, SearchIndexer, type CreateDocumentInput } from '@app/knowledge';
import { createServerApp } from '../apps/server/src/bootstrap';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 20000);
const QUERIES = arg('queries', 300);
const ADMIN = { email: 'bench@example.test', password: 'bench-password-123' };

// Deterministic pseudo-random numbers (mulberry32), so every run loads the same corpus.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
/** Zipf-like pick: early words are much more frequent, as in real text. */
const pick = <T>(xs: readonly T[], skew = 1.3) => xs[Math.floor(xs.length * Math.pow(rand(), skew))];

const PRODUCTS = [
  'dashboard',
  'mobile app',
  'desktop client',
  'browser extension',
  'admin console',
  'API',
  'billing portal',
  'reporting module',
  'workspace',
  'calendar',
  'inbox',
  'team space',
];
const NOUNS = [
  'password',
  'account',
  'invoice',
  'subscription',
  'team',
  'project',
  'report',
  'notification',
  'integration',
  'webhook',
  'export',
  'import',
  'user',
  'role',
  'permission',
  'token',
  'session',
  'device',
  'calendar',
  'file',
  'folder',
  'attachment',
  'comment',
  'label',
  'filter',
  'template',
  'workflow',
  'automation',
  'dashboard',
  'widget',
  'chart',
  'payment',
  'refund',
  'credit card',
  'plan',
  'trial',
  'license',
  'seat',
  'domain',
  'certificate',
  'email address',
  'phone number',
  'language',
  'time zone',
  'theme',
  'shortcut',
  'backup',
  'archive',
  'audit log',
  'single sign-on',
  'two-factor authentication',
  'recovery code',
  'API key',
  'rate limit',
  'quota',
  'storage',
  'sync',
  'offline mode',
  'printer',
  'scanner',
  'spreadsheet',
  'CSV file',
  'PDF',
  'signature',
  'contract',
  'customer',
  'ticket',
  'agent',
  'queue',
  'tag',
  'priority',
  'status page',
  'incident',
  'maintenance window',
];
const VERBS = [
  'reset',
  'change',
  'delete',
  'create',
  'export',
  'import',
  'share',
  'invite',
  'remove',
  'restore',
  'configure',
  'enable',
  'disable',
  'update',
  'cancel',
  'upgrade',
  'downgrade',
  'transfer',
  'merge',
  'rename',
  'move',
  'archive',
  'verify',
  'connect',
  'disconnect',
  'schedule',
  'filter',
  'sort',
  'print',
  'download',
  'upload',
  'sync',
  'troubleshoot',
  'recover',
  'revoke',
  'rotate',
  'approve',
];
const ADJ = [
  'shared',
  'private',
  'default',
  'custom',
  'expired',
  'pending',
  'failed',
  'recurring',
  'monthly',
  'annual',
  'primary',
  'secondary',
  'archived',
  'locked',
  'duplicate',
  'missing',
  'slow',
  'blank',
  'new',
  'old',
];
const FILLER = ['the', 'your', 'a', 'this', 'each', 'any', 'all', 'every'];
const PROBLEMS = [
  'is not showing up',
  'keeps failing',
  'shows an error',
  'is greyed out',
  'takes a long time',
  'disappeared',
  'cannot be saved',
  'is out of date',
];

const sentence = () => {
  const forms = [
    () =>
      `To ${pick(VERBS)} ${pick(FILLER)} ${pick(ADJ)} ${pick(NOUNS)}, open the ${pick(PRODUCTS)} and choose ${pick(VERBS)} ${pick(NOUNS)}.`,
    () =>
      `If ${pick(FILLER)} ${pick(NOUNS)} ${pick(PROBLEMS)}, check that ${pick(FILLER)} ${pick(NOUNS)} is ${pick(ADJ)}.`,
    () =>
      `Admins can ${pick(VERBS)} the ${pick(NOUNS)} for ${pick(FILLER)} ${pick(NOUNS)} in the ${pick(PRODUCTS)}.`,
    () =>
      `The ${pick(ADJ)} ${pick(NOUNS)} is kept for 30 days, after which you can no longer ${pick(VERBS)} it.`,
    () => `You need the ${pick(NOUNS)} permission to ${pick(VERBS)} ${pick(FILLER)} ${pick(NOUNS)}.`,
  ];
  return pick(forms, 1)();
};
const paragraph = () => Array.from({ length: 3 + Math.floor(rand() * 4) }, sentence).join(' ');

function article(i: number): CreateDocumentInput {
  const verb = pick(VERBS);
  const noun = pick(NOUNS);
  const product = pick(PRODUCTS, 1);
  const title =
    rand() < 0.5
      ? `How to ${verb} ${pick(FILLER)} ${noun} in the ${product}`
      : `${noun[0].toUpperCase()}${noun.slice(1)} ${pick(PROBLEMS)}`;
  const sections = 1 + Math.floor(rand() * 4);
  const body = [
    paragraph(),
    ...Array.from(
      { length: sections },
      () => `## ${pick(VERBS)} ${pick(NOUNS)}\n\n${paragraph()}\n\n${paragraph()}`,
    ),
  ].join('\n\n');
  return {
    slug: `article-${i}`,
    title,
    body,
    tags: [
      noun.replace(/[^a-z0-9]+/gi, '-').toLowerCase(),
      pick(['billing', 'account', 'security', 'integrations', 'getting-started'], 1),
    ],
    collection: pick(['help-center', 'admin-guide', 'developer-docs'], 1),
    status: rand() < 0.85 ? 'published' : 'draft',
  };
}

function query(): string {
  const forms = [
    () => `${pick(VERBS)} ${pick(NOUNS)}`,
    () => `how do I ${pick(VERBS)} my ${pick(NOUNS)} in the ${pick(PRODUCTS, 1)}?`,
    () => `${pick(NOUNS)} ${pick(PROBLEMS)}`,
    () => `"${pick(NOUNS)}" ${pick(VERBS)} -${pick(NOUNS)}`,
    () => pick(NOUNS),
  ];
  return pick(forms, 1)();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function main() {
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-signing',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const app = await createServerApp(config);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const db = app.get(DatabaseService);
  console.log(`database: ${db.kind}; generating ${DOCS} articles`);

  const docs = app.get(DocumentsService);
  const actor = systemPrincipal('cli', 'bench');
  const t0 = performance.now();
  for (let i = 0; i < DOCS; i += 500) {
    await docs.createMany(
      Array.from({ length: Math.min(500, DOCS - i) }, (_, j) => article(i + j)),
      actor,
    );
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  const stats = (await app.get(SearchIndexer).current()).passageCount;
  console.log(
    `loaded ${DOCS} articles in ${loadSeconds.toFixed(1)} s (${Math.round(DOCS / loadSeconds)} docs/s): ${stats} passages`,
  );
  // As autovacuum would after a bulk load: statistics, and the visibility map for index-only scans.
  if (db.kind === 'postgres') await db.driver.query('VACUUM ANALYZE');

  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { Authorization: `Bearer ${accessToken}` };
  const queries = Array.from({ length: QUERIES }, query);

  const run = async (qs: string[]) => {
    const times: number[] = [];
    let hits = 0;
    for (const q of qs) {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/documents?q=${encodeURIComponent(q)}&limit=20`, { headers });
      const body = (await res.json()) as { items: unknown[] };
      if (res.status !== 200) throw new Error(`search failed: ${res.status} ${JSON.stringify(body)}`);
      times.push(performance.now() - t);
      hits += body.items.length;
    }
    return { times: times.sort((a, b) => a - b), hits };
  };
  await run(queries.slice(0, 20)); // warm-up
  const { times, hits } = await run(queries);
  console.log(
    `REST search, ${QUERIES} sequential queries (limit 20): p50 ${percentile(times, 0.5).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 0.95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms; ` +
      `${(hits / QUERIES).toFixed(1)} hits per query`,
  );
  await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
