/**
 * PostgreSQL store benchmark: the same workload on PGlite (PostgreSQL compiled to WebAssembly,
 * served over the wire protocol on 127.0.0.1 and reached through `pg`, the production code path),
 * on a real PostgreSQL server (`--server postgres://…`), and on the embedded LanceDB store.
 *
 *   npx tsx bench/postgres.bench.ts [--quick] [--data random|clustered|real] [--size 100000] [--queries 100]
 *     [--from-store <sift store with real embeddings>] [--queries-file <BEIR queries.jsonl>]
 *     [--server postgres://…] [--skip-pglite] [--skip-lancedb] [--clients 8]
 *
 * Data: `random` (default; uniform unit vectors, the worst case of any ANN index), `clustered`
 * (1,000 synthetic topics), or `real`: the texts and vectors of a store built with the real scout
 * (`--from-store`), grown to `--size` by copies whose vectors are the real ones plus Gaussian noise
 * of norm 0.5, renormalised (cosine ≈ 0.89 to the original; `support/real-chunks.ts`), with query
 * texts from `--queries-file` embedded by the store's model (cached beside the store's name in the
 * temp folder). Dimension 384, k = 20.
 * Per PostgreSQL target:
 * 1. writes: chunks/s of `upsert` in batches of 1,000 (text, tsvector + GIN index, vector);
 * 2. exact dense search (sequential scan), p50/p95 per query;
 * 3. HNSW build (m 16, ef_construction 64), then ANN at ef_search 40 / 100 / 200 with recall@20
 *    against the exact results;
 * 4. (`real` only, the queries have text) BM25 and hybrid (dense ef 100 + BM25, RRF) p50/p95 over
 *    `--text-queries` queries (default 30: BM25 scores every chunk holding a query word);
 * 5. the same dense (ef 100) / BM25 / hybrid queries from `--clients` concurrent clients, each its
 *    own store and connection, sharing the queries between them: per-query p50/p95 and queries/s.
 * LanceDB (dense only): flat scan and HNSW-SQ. PGlite is one session in single-threaded
 * WebAssembly: concurrent clients queue behind each other there, which is the point of the column.
 * Table on stderr, JSON on stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Bm25Retriever } from '../src/retrieval/bm25-retriever.js';
import { DenseRetriever } from '../src/retrieval/dense-retriever.js';
import { HybridRetriever } from '../src/retrieval/hybrid-retriever.js';
import { openLanceStore } from '../src/stores/lancedb/index.js';
import { openPostgresStore, type PostgresStore } from '../src/stores/postgres/index.js';
import type { ChunkRecord, VectorStore } from '../src/stores/vector-store.js';
import { startPgliteServer } from '../test/stores/pglite-server.js';
import {
  embedQueries,
  expandChunks,
  PrecomputedEmbedder,
  readQueries,
  readStoreChunks,
  type RealChunk,
} from './support/real-chunks.js';
import { percentile } from './support/stats.js';
import { recallAgainst, timeDenseQueries, unitVectors } from './support/vectors.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    size: { type: 'string' },
    queries: { type: 'string' },
    data: { type: 'string', default: 'random' },
    'from-store': { type: 'string' },
    'queries-file': { type: 'string' },
    server: { type: 'string' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-lancedb': { type: 'boolean', default: false },
    clients: { type: 'string', default: '8' },
    'text-queries': { type: 'string' },
  },
});
const data = args.data === 'clustered' ? 'clustered' : args.data === 'real' ? 'real' : 'random';
const quick = args.quick ?? false;
const DIM = 384;
const K = 20;
const N = args.size ? Number(args.size) : quick ? 10_000 : 100_000;
const QUERIES = args.queries ? Number(args.queries) : quick ? 50 : 100;
const CLIENTS = Number(args.clients);
// BM25 over real text costs far more per query than HNSW (every chunk with a query word is scored),
// so its timings use fewer queries.
const TEXT_QUERIES = Math.min(QUERIES, args['text-queries'] ? Number(args['text-queries']) : quick ? 20 : 30);
const EF_SEARCH = quick ? [100] : [40, 100, 200];

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const r2 = (x: number): number => Math.round(x * 100) / 100;

// The data: chunks (text + vector) and queries (text + vector).
let chunks: RealChunk[];
let queryTexts: string[] = [];
let queries: Float32Array[];
let model = 'bench/random-384';
if (data === 'real') {
  if (!args['from-store'] || !args['queries-file'])
    throw new Error('--data real needs --from-store <store> and --queries-file <queries.jsonl>');
  log(`reading real chunks from ${args['from-store']}`);
  const base = await readStoreChunks(args['from-store']);
  model = base.model;
  chunks = expandChunks(base.chunks, N);
  log(`  ${base.chunks.length} real chunks (${model}), grown to ${chunks.length}`);
  queryTexts = await readQueries(args['queries-file'], QUERIES);
  queries = await embedQueries(
    model,
    queryTexts,
    join(tmpdir(), `sift-bench-queries-${basename(args['queries-file'])}-${QUERIES}.json`),
  );
} else {
  log(`generating ${N} ${data} unit vectors (dimension ${DIM}) and ${QUERIES} queries`);
  chunks = unitVectors(data, N, DIM, 42).map((vector, j) => ({
    id: `c${j}`,
    source: `/bench/s${j % 1000}.md`,
    text: `chunk ${j}`,
    vector,
  }));
  queries = unitVectors(data, QUERIES, DIM, 7);
}
const embedding = { model, dimension: DIM };
const withText = queryTexts.length > 0;

async function load(store: VectorStore): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < chunks.length; i += 1000) {
    const batch: ChunkRecord[] = chunks
      .slice(i, i + 1000)
      .map((c, j) => ({ ...c, chunkIndex: i + j, start: 0, end: c.text.length, modifiedMs: 0 }));
    await store.upsert(batch);
    if ((i / 1000) % 20 === 19) log(`  ${i + 1000} / ${chunks.length}`);
  }
  return Math.round(chunks.length / ((performance.now() - t) / 1000));
}

interface Latency {
  p50Ms: number;
  p95Ms: number;
}
const latency = (times: number[]): Latency => ({ p50Ms: r2(percentile(times, 50)), p95Ms: r2(percentile(times, 95)) });

/** Each of `count` queries once (after 3 untimed), timed one by one. */
async function timeEach(count: number, run: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(3, count); i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return latency(times);
}

/**
 * `CLIENTS` clients, each its own store (own pool, one connection), running `count` queries between
 * them at once (client c takes queries c, c + CLIENTS, …): per-query latency and queries/s overall.
 */
async function concurrent(
  location: string,
  count: number,
  run: (store: PostgresStore, i: number) => Promise<unknown>,
): Promise<Latency & { queriesPerSecond: number }> {
  const stores = await Promise.all(
    Array.from({ length: CLIENTS }, () => openPostgresStore(location, { tuning: { poolSize: 1 } })),
  );
  try {
    for (const s of stores) await run(s, 0);
    const times: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      stores.map(async (s, c) => {
        for (let i = c; i < count; i += CLIENTS) {
          const t = performance.now();
          await run(s, i);
          times.push(performance.now() - t);
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    return { ...latency(times), queriesPerSecond: Math.round((count / wall) * 10) / 10 };
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

const hybridOf = (store: VectorStore): HybridRetriever =>
  new HybridRetriever([
    new DenseRetriever(store, new PrecomputedEmbedder(model, queryTexts, queries)),
    new Bm25Retriever(store),
  ]);

type Row = { store: string; search: string; p50Ms: number; p95Ms: number; recallAt20?: number; qps?: number };
const rows: Row[] = [];
const formatRow = (r: Row): string =>
  `${r.store.padEnd(18)} ${r.search.padEnd(30)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p95Ms.toFixed(2).padStart(8)} ${(r.recallAt20 === undefined ? '' : r.recallAt20.toFixed(3)).padStart(10)} ${(r.qps === undefined ? '' : String(r.qps)).padStart(6)}`;
/** Records a row and prints it at once, so a long run shows its figures as they come. */
function addRow(...added: Row[]): void {
  for (const r of added) {
    rows.push(r);
    log(`  = ${formatRow(r)}`);
  }
}
const result: Record<string, unknown> = {
  suite: 'postgres',
  data,
  chunks: N,
  dimension: DIM,
  k: K,
  queries: QUERIES,
  textQueries: TEXT_QUERIES,
  clients: CLIENTS,
  ...(data === 'real'
    ? {
        model,
        fromStore: args['from-store'],
        queriesFile: args['queries-file'],
        copies: 'real vector + Gaussian noise of norm 0.5, renormalised',
      }
    : {}),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    loadavgStart: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
  },
};

/** The whole PostgreSQL workload against one server; `setMemory` raises maintenance_work_mem for the build. */
async function benchPostgres(label: string, url: string, setMemory: boolean): Promise<Record<string, unknown>> {
  const location = `${url}${url.includes('?') ? '&' : '?'}collection=bench_${process.pid}`;
  const out: Record<string, unknown> = {};
  // annMinRows past N: the index is built explicitly below, after loading, as a bulk build.
  const store = await openPostgresStore(location, {
    create: true,
    embedding,
    tuning: { annMinRows: Number.MAX_SAFE_INTEGER },
  });
  out.server = store.serverInfo();
  try {
    log(`${label}: loading`);
    out.writesPerSecond = await load(store);
    await store.optimize();
    log(`${label}: exact search`);
    const exact = await timeDenseQueries(store, queries, { k: K, exact: true });
    out.exact = { p50Ms: exact.p50Ms, p95Ms: exact.p95Ms };
    addRow({ store: label, search: 'dense exact (seq scan)', p50Ms: exact.p50Ms, p95Ms: exact.p95Ms, recallAt20: 1 });
    // PGlite is one session: this SET reaches the connection that builds the index. A real server
    // gets maintenance_work_mem from its configuration (.ci/with-postgres.sh: 512MB).
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    if (setMemory) await admin.query("SET maintenance_work_mem = '1GB'");
    log(`${label}: building HNSW`);
    const t = performance.now();
    await store.createVectorIndex();
    out.hnswBuildSeconds = Math.round((performance.now() - t) / 100) / 10;
    await admin.end();
    const hnsw: Record<string, unknown> = {};
    for (const ef of EF_SEARCH) {
      const tuned = await openPostgresStore(`${location}&ef_search=${ef}`);
      log(`${label}: HNSW ef_search ${ef}`);
      const ann = await timeDenseQueries(tuned, queries, { k: K, exact: false });
      const recall = recallAgainst(exact.ids, ann.ids);
      hnsw[`ef${ef}`] = { p50Ms: ann.p50Ms, p95Ms: ann.p95Ms, recallAt20: recall };
      addRow({
        store: label,
        search: `dense HNSW ef_search ${ef}`,
        p50Ms: ann.p50Ms,
        p95Ms: ann.p95Ms,
        recallAt20: recall,
      });
      await tuned.close();
    }
    out.hnsw = hnsw;
    if (withText) {
      log(`${label}: BM25 and hybrid`);
      const bm25 = await timeEach(TEXT_QUERIES, (i) => store.textSearch(queryTexts[i]!, { k: K }));
      const hybrid = hybridOf(store);
      const hyb = await timeEach(TEXT_QUERIES, (i) => hybrid.retrieve(queryTexts[i]!, { k: K }));
      out.bm25 = bm25;
      out.hybrid = hyb;
      addRow(
        { store: label, search: 'BM25', ...bm25 },
        { store: label, search: 'hybrid (dense ef 100 + BM25)', ...hyb },
      );
    }
    log(`${label}: ${CLIENTS} concurrent clients`);
    const conc: Record<string, unknown> = {};
    conc.dense = await concurrent(location, QUERIES, (s, i) => s.denseSearch(queries[i]!, { k: K }));
    addRow({ store: label, search: `dense HNSW ef 100, ${CLIENTS} clients`, ...pick(conc.dense) });
    if (withText) {
      conc.bm25 = await concurrent(location, TEXT_QUERIES, (s, i) => s.textSearch(queryTexts[i]!, { k: K }));
      conc.hybrid = await concurrent(location, TEXT_QUERIES, (s, i) => hybridOf(s).retrieve(queryTexts[i]!, { k: K }));
      addRow(
        { store: label, search: `BM25, ${CLIENTS} clients`, ...pick(conc.bm25) },
        { store: label, search: `hybrid, ${CLIENTS} clients`, ...pick(conc.hybrid) },
      );
    }
    out.concurrent = conc;
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS bench_${process.pid} CASCADE`);
    await admin.end();
  }
  return out;
}

function pick(x: unknown): { p50Ms: number; p95Ms: number; qps: number } {
  const l = x as Latency & { queriesPerSecond: number };
  return { p50Ms: l.p50Ms, p95Ms: l.p95Ms, qps: l.queriesPerSecond };
}

const server = args.server ?? process.env.SIFT_BENCH_DATABASE_URL;
if (server) result.postgresServer = await benchPostgres('postgres server', server, false);

if (!args['skip-pglite']) {
  const pglite = await startPgliteServer();
  try {
    result.postgres = await benchPostgres('postgres (PGlite)', pglite.url, true);
  } finally {
    await pglite.stop();
  }
}

if (!args['skip-lancedb']) {
  const dir = await mkdtemp(join(tmpdir(), 'sift-bench-pg-'));
  try {
    const store = await openLanceStore(join(dir, 'store'), {
      create: true,
      embedding,
      tuning: { annMinRows: Number.MAX_SAFE_INTEGER },
    });
    log('lancedb: loading');
    const writes = await load(store);
    await store.optimize();
    log('lancedb: exact search');
    const exact = await timeDenseQueries(store, queries, { k: K, exact: true });
    addRow({
      store: 'lancedb',
      search: 'dense exact (flat scan)',
      p50Ms: exact.p50Ms,
      p95Ms: exact.p95Ms,
      recallAt20: 1,
    });
    log('lancedb: building HNSW-SQ');
    const t = performance.now();
    await store.createVectorIndex();
    const buildS = Math.round((performance.now() - t) / 100) / 10;
    const ann = await timeDenseQueries(store, queries, { k: K, exact: false });
    const recall = recallAgainst(exact.ids, ann.ids);
    addRow({
      store: 'lancedb',
      search: 'dense HNSW-SQ ef 300',
      p50Ms: ann.p50Ms,
      p95Ms: ann.p95Ms,
      recallAt20: recall,
    });
    result.lancedb = {
      writesPerSecond: writes,
      exact: { p50Ms: exact.p50Ms, p95Ms: exact.p95Ms },
      hnswSqBuildSeconds: buildS,
      hnswSq: { p50Ms: ann.p50Ms, p95Ms: ann.p95Ms, recallAt20: recall },
    };
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

(result.machine as Record<string, unknown>).loadavgEnd = loadavg().map((x) => Math.round(x * 100) / 100);
log('');
log(
  `${N} chunks (${data}), dimension ${DIM}, k ${K}, ${QUERIES} queries; load ${JSON.stringify((result.machine as Record<string, unknown>).loadavgStart)} -> ${JSON.stringify((result.machine as Record<string, unknown>).loadavgEnd)}`,
);
for (const key of ['postgresServer', 'postgres', 'lancedb'] as const) {
  const w = (result[key] as { writesPerSecond?: number } | undefined)?.writesPerSecond;
  if (w !== undefined) log(`${key}: ${w} chunks/s written`);
}
log(
  `${'store'.padEnd(18)} ${'search'.padEnd(30)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'recall@20'.padStart(10)} ${'q/s'.padStart(6)}`,
);
for (const r of rows) log(formatRow(r));
result.table = rows;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
