/**
 * PostgreSQL store benchmark: dense search p50/p95 on PostgreSQL + pgvector (PGlite: PostgreSQL
 * compiled to WebAssembly, served over the wire protocol on 127.0.0.1 and reached through `pg`,
 * the production code path) beside the embedded LanceDB store, exact and HNSW, with recall@20.
 *
 *   npx tsx bench/postgres.bench.ts [--quick] [--data random|clustered] [--size 50000] [--queries 100]
 *
 * 100,000 chunks (10,000 with --quick) of unit vectors, dimension 384, k = 20: uniformly random
 * (default; no cluster structure, the worst case for any ANN index: in 384 dimensions the true top
 * 20 are barely nearer than the rest) or `--data clustered` (1,000 topics, closer to real embeddings).
 * 1. writes: chunks/s of `upsert` in batches of 1,000 (PostgreSQL also fills the tsvector/GIN index);
 * 2. exact search (PostgreSQL: sequential scan; LanceDB: flat scan), p50/p95 per query;
 * 3. index build time, then ANN search: PostgreSQL HNSW (m 16, ef_construction 64) at ef_search
 *    40 / 100 / 200 / 400, LanceDB HNSW-SQ at its default ef; recall@20 against the exact results.
 *
 * PGlite runs single-threaded in WebAssembly: a native PostgreSQL is several times faster. Read PGlite's numbers
 * as an upper bound and the comparison as "same order of magnitude", not as a server benchmark.
 * Table on stderr, JSON on stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openLanceStore } from '../src/stores/lancedb/index.js';
import { openPostgresStore } from '../src/stores/postgres/index.js';
import type { ChunkRecord, VectorStore } from '../src/stores/vector-store.js';
import { startPgliteServer } from '../test/stores/pglite-server.js';
import { recallAgainst, timeDenseQueries, unitVectors } from './support/vectors.js';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, size: { type: 'string' }, queries: { type: 'string' }, data: { type: 'string', default: 'random' } },
});
const data = args.data === 'clustered' ? 'clustered' : 'random';
const quick = args.quick ?? false;
const DIM = 384;
const K = 20;
const N = args.size ? Number(args.size) : quick ? 10_000 : 100_000;
const QUERIES = args.queries ? Number(args.queries) : quick ? 50 : 100;
const EF_SEARCH = [40, 100, 200, 400];
const embedding = { model: 'bench/random-384', dimension: DIM };

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Dense latency (p50/p95/mean) and hit ids of every query. */
const timeQueries = (store: VectorStore, queries: readonly Float32Array[], exact: boolean) =>
  timeDenseQueries(store, queries, { k: K, exact }).then(({ ids, ...latency }) => ({ latency, ids }));
type Latency = Awaited<ReturnType<typeof timeQueries>>['latency'];

async function load(store: VectorStore, vectors: readonly Float32Array[]): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < vectors.length; i += 1000) {
    const batch: ChunkRecord[] = [];
    for (let j = i; j < Math.min(vectors.length, i + 1000); j++) {
      batch.push({ id: `c${j}`, source: `/bench/s${j % 1000}.md`, text: `chunk ${j}`, chunkIndex: j, start: 0, end: 8, modifiedMs: 0, vector: vectors[j] });
    }
    await store.upsert(batch);
    if ((i / 1000) % 10 === 9) log(`  ${i + 1000} / ${vectors.length}`);
  }
  return Math.round(vectors.length / ((performance.now() - t) / 1000));
}

const rows: { store: string; search: string; p50Ms: number; p95Ms: number; recallAt20: number | null }[] = [];
const result: Record<string, unknown> = {
  suite: 'postgres',
  data,
  chunks: N,
  dimension: DIM,
  k: K,
  queries: QUERIES,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version },
};

log(`generating ${N} ${data} unit vectors (dimension ${DIM}) and ${QUERIES} queries`);
const vectors = unitVectors(data, N, DIM, 42);
const queries = unitVectors(data, QUERIES, DIM, 7);

// PostgreSQL (PGlite)
const server = await startPgliteServer();
try {
  const location = `${server.url}?collection=bench`;
  // annMinRows past N: the index is built explicitly below, after loading, as a bulk build.
  const store = await openPostgresStore(location, { create: true, embedding, tuning: { annMinRows: Number.MAX_SAFE_INTEGER } });
  log('postgres (PGlite): loading');
  const writes = await load(store, vectors);
  await store.optimize();
  log('postgres: exact search');
  const exact = await timeQueries(store, queries, true);
  rows.push({ store: 'postgres (PGlite)', search: 'exact (seq scan)', ...pick(exact.latency), recallAt20: 1 });
  // PGlite is one session: this reaches the connection that builds the index. A graph that fits in
  // maintenance_work_mem builds in memory, many times faster than pgvector's on-disk fallback.
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query("SET maintenance_work_mem = '1GB'");
  log('postgres: building HNSW');
  const t = performance.now();
  await store.createVectorIndex();
  const buildS = Math.round((performance.now() - t) / 100) / 10;
  await admin.end();
  await store.close();
  const hnsw: Record<string, unknown> = {};
  for (const ef of EF_SEARCH) {
    const tuned = await openPostgresStore(`${location}&ef_search=${ef}`);
    log(`postgres: HNSW ef_search ${ef}`);
    const ann = await timeQueries(tuned, queries, false);
    const r = recallAgainst(exact.ids, ann.ids);
    hnsw[`ef${ef}`] = { ...ann.latency, recallAt20: r };
    rows.push({ store: 'postgres (PGlite)', search: `HNSW ef_search ${ef}`, ...pick(ann.latency), recallAt20: r });
    await tuned.close();
  }
  result.postgres = { writesPerSecond: writes, exact: exact.latency, hnswBuildSeconds: buildS, hnsw };
} finally {
  await server.stop();
}

// LanceDB, the embedded store
const dir = await mkdtemp(join(tmpdir(), 'sift-bench-pg-'));
try {
  const store = await openLanceStore(join(dir, 'store'), { create: true, embedding, tuning: { annMinRows: Number.MAX_SAFE_INTEGER } });
  log('lancedb: loading');
  const writes = await load(store, vectors);
  await store.optimize();
  log('lancedb: exact search');
  const exact = await timeQueries(store, queries, true);
  rows.push({ store: 'lancedb', search: 'exact (flat scan)', ...pick(exact.latency), recallAt20: 1 });
  log('lancedb: building HNSW-SQ');
  const t = performance.now();
  await store.createVectorIndex();
  const buildS = Math.round((performance.now() - t) / 100) / 10;
  const ann = await timeQueries(store, queries, false);
  const r = recallAgainst(exact.ids, ann.ids);
  rows.push({ store: 'lancedb', search: 'HNSW-SQ ef 300', ...pick(ann.latency), recallAt20: r });
  result.lancedb = { writesPerSecond: writes, exact: exact.latency, hnswSqBuildSeconds: buildS, hnswSq: { ...ann.latency, recallAt20: r } };
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

function pick(l: Latency): { p50Ms: number; p95Ms: number } {
  return { p50Ms: l.p50Ms, p95Ms: l.p95Ms };
}

log('');
log(`dense search, ${N} chunks (${data}), dimension ${DIM}, k ${K}, ${QUERIES} queries`);
log(`${'store'.padEnd(20)} ${'search'.padEnd(20)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'recall@20'.padStart(10)}`);
for (const r of rows) {
  log(`${r.store.padEnd(20)} ${r.search.padEnd(20)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p95Ms.toFixed(2).padStart(8)} ${(r.recallAt20 ?? NaN).toFixed(3).padStart(10)}`);
}
result.table = rows;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
