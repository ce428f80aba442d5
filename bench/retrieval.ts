/**
 * Retrieval quality of the product's search on SciFact (BEIR format).
 *
 *   node bench/run.js bench/retrieval.ts [corpusDir] [--tune] [--profile]
 *
 * Loads every abstract through DocumentsService (chunking + BM25 index, as in production) into a
 * fresh in-memory PGlite database, or into DATABASE_URL when set (use a throw-away database),
 * runs every question through the same SearchService the REST API and MCP use, and prints
 * nDCG@10, Recall@100 and per-query latency; then the same with search-as-you-type and typo
 * expansions off, and with every question's trailing punctuation removed (so its last word is
 * expanded as a prefix), and with one typo put into each question's longest word. `--tune`
 * also sweeps the BM25 k1/b grid.
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfig } from '@app/config';
import { systemPrincipal } from '@app/core';
import { DatabaseModule, DatabaseService } from '@app/database';
import {
  DocumentsService,
  EXPANSION_DEFAULTS,
  KnowledgeModule,
  SearchIndexer,
  SearchService,
  parseQuery,
  type CreateDocumentInput,
} from '@app/knowledge';
import { ObservabilityModule } from '@app/observability';

const args = process.argv.slice(2);
const dir = path.resolve(
  args.find((a) => !a.startsWith('--')) ??
    process.env.SCIFACT_DIR ??
    path.join(__dirname, '..', '..', 'shared', 'data', 'scifact-train'),
);
const tune = args.includes('--tune');

const readJsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function createContext(): Promise<INestApplicationContext> {
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'warn',
  });
  @Module({ imports: [ConfigModule.forRoot(config), ObservabilityModule, DatabaseModule, KnowledgeModule] })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

interface Qrels {
  [queryId: string]: Record<string, number>;
}

function evaluate(runs: Map<string, string[]>, qrels: Qrels) {
  let ndcg = 0;
  let recall = 0;
  for (const [qid, ranked] of runs) {
    const rel = qrels[qid];
    let dcg = 0;
    ranked.slice(0, 10).forEach((id, i) => (dcg += (rel[id] ?? 0) / Math.log2(i + 2)));
    const ideal = Object.values(rel)
      .sort((a, b) => b - a)
      .slice(0, 10)
      .reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
    ndcg += ideal ? dcg / ideal : 0;
    const found = ranked.slice(0, 100).filter((id) => rel[id]).length;
    recall += found / Object.keys(rel).length;
  }
  return { ndcg10: ndcg / runs.size, recall100: recall / runs.size };
}

async function runQueries(
  search: SearchService,
  queries: { _id: string; text: string }[],
  slugToId: Map<string, string>,
  rewrite: (q: string) => string = (q) => q,
) {
  const runs = new Map<string, string[]>();
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const page = await search.search({ query: rewrite(q.text), limit: 100 });
    times.push(performance.now() - t0);
    runs.set(
      q._id,
      page.items.map((h) => slugToId.get(h.slug) ?? ''),
    );
  }
  times.sort((a, b) => a - b);
  return { runs, p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

async function main() {
  const corpus = readJsonl<{ _id: string; title: string; text: string }>('corpus.jsonl');
  const allQueries = readJsonl<{ _id: string; text: string }>('queries.jsonl');
  const qrels: Qrels = {};
  for (const line of fs.readFileSync(path.join(dir, 'qrels.tsv'), 'utf8').split('\n').slice(1)) {
    const [qid, did, score] = line.trim().split('\t');
    if (!qid) continue;
    (qrels[qid] ??= {})[did] = Number(score);
  }
  const queries = allQueries.filter((q) => qrels[q._id]);

  const app = await createContext();
  const docs = app.get(DocumentsService);
  const search = app.get(SearchService);
  const db = app.get(DatabaseService);
  console.log(`database: ${db.kind}; corpus ${corpus.length} documents, ${queries.length} judged questions`);

  const slugToId = new Map<string, string>();
  const inputs: CreateDocumentInput[] = corpus.map((d) => {
    const slug = `scifact-${d._id}`;
    slugToId.set(slug, d._id);
    return { slug, title: (d.title || d._id).slice(0, 300), body: d.text, status: 'published' };
  });
  const actor = systemPrincipal('cli', 'bench');
  const indexer = app.get(SearchIndexer);
  await indexer.warm();
  const t0 = performance.now();
  for (let i = 0; i < inputs.length; i += 500) await docs.createMany(inputs.slice(i, i + 500), actor);
  const loadSeconds = (performance.now() - t0) / 1000;
  const heapBefore = process.memoryUsage().heapUsed;
  const r0 = performance.now();
  await indexer.rebuild();
  const rebuildMs = performance.now() - r0;
  global.gc?.();
  const st = indexer.status();
  console.log(
    `loaded in ${loadSeconds.toFixed(1)} s (${Math.round(corpus.length / loadSeconds)} docs/s): ${st.passages} passages, ` +
      `${st.terms} terms; index ${(st.memoryBytes / 2 ** 20).toFixed(1)} MiB; rebuild from the database ${rebuildMs.toFixed(0)} ms ` +
      `(heap ${(heapBefore / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)`,
  );

  await runQueries(search, queries.slice(0, 20), slugToId); // warm-up
  const report = async (label: string, rewrite?: (q: string) => string) => {
    const r = await runQueries(search, queries, slugToId, rewrite);
    const e = evaluate(r.runs, qrels);
    console.log(
      `${label.padEnd(44)} nDCG@10 ${e.ndcg10.toFixed(4)}  Recall@100 ${e.recall100.toFixed(4)}  ` +
        `latency p50 ${r.p50.toFixed(2)} ms  p95 ${r.p95.toFixed(2)} ms`,
    );
  };
  await report(`k1=${search.params.k1} b=${search.params.b}, expansions on (default)`);
  search.expansion = { ...EXPANSION_DEFAULTS, prefix: false, typos: false };
  await report('expansions off');
  search.expansion = { ...EXPANSION_DEFAULTS };
  const typed = (q: string) => q.replace(/[^\p{L}\p{N}]+$/u, '');
  await report('as typed (no final punctuation): prefix', typed);
  search.expansion = { ...EXPANSION_DEFAULTS, prefix: false };
  await report('as typed, prefix off', typed);
  search.expansion = { ...EXPANSION_DEFAULTS };
  // One typo (two letters swapped) in each question's longest word.
  const typo = (q: string) =>
    q.replace(
      [...q.matchAll(/\p{L}{6,}/gu)].map((m) => m[0]).sort((a, b) => b.length - a.length)[0] ?? '\u0000',
      (w) => w.slice(0, 2) + w[3] + w[2] + w.slice(4),
    );
  await report('one typo per question: typo tolerance on', typo);
  search.expansion = { ...EXPANSION_DEFAULTS, typos: false };
  await report('one typo per question: typo tolerance off', typo);
  search.expansion = { ...EXPANSION_DEFAULTS };

  // CPU per search, limit 10 (an agent's page), database included when it is in-process (PGlite):
  // the whole SearchService.search next to its ranking alone, rounds alternating.
  const index = await indexer.current();
  const cpu = { search: 0, ranking: 0 };
  const profiler = args.includes('--profile') ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await new Promise((r) => profiler.post('Profiler.enable', () => profiler.post('Profiler.start', r)));
  }
  for (let round = 0; round < 3; round++) {
    let c0 = process.cpuUsage();
    for (const q of queries) await search.search({ query: q.text, limit: 10, status: 'published' });
    let c = process.cpuUsage(c0);
    cpu.search += c.user + c.system;
    const planned = queries.map((q) => search.plan(parseQuery(q.text), index, { status: 'published' }, 11));
    c0 = process.cpuUsage();
    for (const q of planned) index.search(q);
    c = process.cpuUsage(c0);
    cpu.ranking += c.user + c.system;
  }
  if (profiler) {
    const file = path.join(os.tmpdir(), `retrieval-${Date.now()}.cpuprofile`);
    await new Promise((r) =>
      profiler.post('Profiler.stop', (_e, res) => r(fs.writeFileSync(file, JSON.stringify(res.profile)))),
    );
    console.log(`CPU profile of the searches: ${file}`);
  }
  const per = (us: number) => (us / (3 * queries.length)).toFixed(0);
  console.log(
    `CPU per search, limit 10 (${db.kind}): SearchService.search ${per(cpu.search)} µs, of which ranking ${per(cpu.ranking)} µs`,
  );

  if (tune) {
    for (const k1 of [0.6, 0.9, 1.2, 1.5]) {
      for (const b of [0.3, 0.5, 0.75, 0.9]) {
        search.params = { k1, b };
        const r = await runQueries(search, queries, slugToId);
        const e = evaluate(r.runs, qrels);
        console.log(
          `  k1=${k1} b=${b}: nDCG@10 ${e.ndcg10.toFixed(4)}  Recall@100 ${e.recall100.toFixed(4)}`,
        );
      }
    }
  }
  await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
