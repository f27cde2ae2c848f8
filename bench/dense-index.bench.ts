/**
 * Dense stage 1 on REAL scout vectors: sift's in-memory index (int8 scan + fp32 re-score) beside
 * LanceDB's exact scan and its HNSW-SQ index, and beside a plain JavaScript fp32 scan, in one run.
 *
 *   npm run bench -- --only dense-index [--quick]
 *   SIFT_BENCH_DENSE_SIZES=20000,100000 npm run bench -- --only dense-index
 *
 * Data: SciFact chunked as `ingestDocuments` chunks it (title + text, 500 / 50 characters) and
 * embedded with the real all-MiniLM-L6-v2 (fp32) by `bench/support/real-vectors.ts` (cache:
 * `SIFT_VECTOR_CACHE`). Sizes past the real rows are real rows perturbed and re-normalised (see
 * `expand`; `SIFT_BENCH_DENSE_SYNTH=blend|noise`), so every size keeps the real vectors' anisotropy
 * and topic structure. Queries are real SciFact
 * claims embedded as queries. Recall@20 is against an exact fp32 scan (USearch's fp32 kernel, an
 * implementation independent of the int8 path measured). Query embedding is not included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FlatDenseIndex } from '../src/stores/memory-index/flat-dense-index.js';
import { openLanceStore, type LanceStore } from '../src/stores/lancedb/index.js';
import type { ChunkRecord } from '../src/stores/vector-store.js';
import { DIM, readRealVectors, vectorCacheDir } from './support/real-vectors.js';
import { xorshiftUniform } from './support/vectors.js';
import { percentile } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const K = 20;

/**
 * `n` rows: the real ones first, then synthetic ones made from them (seeded, so every run builds the
 * same matrix). `blend` (default): row i is `normalise(real[i mod R] + 0.5 · real[j] + g)` with j a
 * random real row and g Gaussian of norm ~0.5 — a new point between two real chunks' topics (cosine
 * ~0.8 to its origin). `noise`: `normalise(real[i mod R] + g)` — near-copies of each real row (cosine
 * ~0.89), which at 1M means ~43 near-duplicates per real chunk: fine for a scan, but an adversarial
 * case for a graph index (each node's neighbours are its own copies, so the graph breaks into islands).
 */
function expand(real: Float32Array, realRows: number, n: number, seed: number, mode: 'blend' | 'noise'): Float32Array {
  const out = new Float32Array(n * DIM);
  out.set(real.subarray(0, Math.min(n, realRows) * DIM));
  const u = xorshiftUniform(seed);
  const sigma = 0.5 / Math.sqrt(DIM);
  const partner = mode === 'blend' ? 0.5 : 0;
  for (let i = realRows; i < n; i++) {
    const src = (i % realRows) * DIM;
    const other = Math.min(realRows - 1, Math.floor(u() * realRows)) * DIM;
    const o = i * DIM;
    let norm = 0;
    for (let j = 0; j < DIM; j += 2) {
      const r = Math.sqrt(-2 * Math.log(u())) * sigma;
      const t = 2 * Math.PI * u();
      const a = real[src + j]! + partner * real[other + j]! + r * Math.cos(t);
      const b = real[src + j + 1]! + partner * real[other + j + 1]! + r * Math.sin(t);
      out[o + j] = a;
      out[o + j + 1] = b;
      norm += a * a + b * b;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < DIM; j++) out[o + j]! *= inv;
  }
  return out;
}

/** Exact top K rows of each query by fp32 dot product (USearch's fp32 kernel, all queries in one call). */
async function exactTruth(matrix: Float32Array, queries: Float32Array): Promise<number[][]> {
  const usearch = await import('usearch');
  const q = queries.length / DIM;
  const m = usearch.exactSearch(matrix, queries, DIM, K, usearch.MetricKind.IP, 2);
  const keys = m.keys;
  return Array.from({ length: q }, (_, i) => Array.from(keys.subarray(i * K, (i + 1) * K), Number));
}

/** The obvious JavaScript scan: every row's fp32 dot product, then the top K. The "hand-written JS" reference. */
function jsScan(matrix: Float32Array, n: number, q: Float32Array): number[] {
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * DIM;
    let a = 0;
    for (let j = 0; j < DIM; j++) a += matrix[o + j]! * q[j]!;
    scores[i] = a;
  }
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    if (best.length < K || scores[i]! > scores[best[best.length - 1]!]!) {
      best.push(i);
      best.sort((x, y) => scores[y]! - scores[x]!);
      if (best.length > K) best.pop();
    }
  }
  return best;
}

const recall = (truth: readonly number[][], got: readonly (readonly number[])[]): number => {
  let hit = 0;
  truth.forEach((t, i) => {
    const g = new Set(got[i]);
    hit += t.filter((r) => g.has(r)).length;
  });
  return Math.round((hit / (truth.length * K)) * 1000) / 1000;
};

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Times `search` once per query after two untimed warm-ups; returns p50/p95 and each query's rows. */
async function timed(queries: Float32Array, count: number, search: (q: Float32Array) => Promise<number[]> | number[]) {
  const qs = Array.from({ length: count }, (_, i) => queries.subarray(i * DIM, (i + 1) * DIM));
  for (const q of qs.slice(0, 2)) await search(q);
  const times: number[] = [];
  const rows: number[][] = [];
  for (const q of qs) {
    const t = performance.now();
    rows.push(await search(q));
    times.push(performance.now() - t);
  }
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), rows };
}

const rowOf = (id: string): number => Number(id.slice(1));

async function writeStore(
  location: string,
  matrix: Float32Array,
  n: number,
): Promise<{ store: LanceStore; seconds: number }> {
  const store = await openLanceStore(location, {
    create: true,
    embedding: { model: 'sentence-transformers/all-MiniLM-L6-v2', dimension: DIM },
    tuning: { annMinRows: Number.MAX_SAFE_INTEGER },
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i += 5000) {
    const batch: ChunkRecord[] = [];
    for (let r = i; r < Math.min(n, i + 5000); r++) {
      batch.push({
        id: `r${r}`,
        source: `/bench/s${Math.floor(r / 4)}`,
        text: `chunk ${r}`,
        chunkIndex: r % 4,
        start: 0,
        end: 8,
        modifiedMs: 0,
        vector: matrix.subarray(r * DIM, (r + 1) * DIM),
      });
    }
    await store.upsert(batch);
  }
  await store.optimize();
  return { store, seconds: round((performance.now() - t0) / 1000, 1) };
}

const suite: BenchSuite = {
  name: 'dense-index',
  title:
    "Dense stage 1 on real all-MiniLM-L6-v2 vectors: sift's in-memory int8+fp32 index beside LanceDB exact and HNSW-SQ",
  async run({ quick, log }) {
    const real = await readRealVectors('scifact');
    if (!real)
      return {
        figures: [],
        notes: [],
        skipped: `no real SciFact vectors in ${vectorCacheDir()}; run \`npx tsx bench/support/real-vectors.ts\` (needs ../shared)`,
      };
    const sizes =
      process.env.SIFT_BENCH_DENSE_SIZES?.split(',').map(Number) ?? (quick ? [20_000] : [20_000, 100_000, 1_000_000]);
    const lanceMax = Number(process.env.SIFT_BENCH_DENSE_LANCE_MAX ?? 100_000);
    const graphAt = Number(process.env.SIFT_BENCH_DENSE_GRAPH_MIN ?? 200_000);
    const synth = process.env.SIFT_BENCH_DENSE_SYNTH === 'noise' ? 'noise' : 'blend';
    const figures: BenchFigure[] = [];
    const notes: string[] = [
      `real rows: ${real.rows} SciFact chunks (all-MiniLM-L6-v2 fp32${real.complete ? '' : ', the part embedded so far'}); larger sizes add synthetic rows made from them (${synth === 'blend' ? 'normalise(real[i mod R] + 0.5 real[random] + Gaussian of norm 0.5), cosine ~0.8 to the origin' : 'normalise(real[i mod R] + Gaussian of norm 0.5): near-copies, cosine ~0.89'})`,
      `queries: real SciFact claims embedded as queries; k = ${K}; one search at a time; load average at start ${loadavg()[0]!.toFixed(1)}`,
    ];
    const add = (
      chunks: number,
      method: string,
      r: { p50: number; p95: number },
      recallAt20: number,
      extra: Record<string, string | number | boolean> = {},
    ) => {
      figures.push({ metric: 'dense.p50', value: r.p50, unit: 'ms', params: { chunks, method, ...extra } });
      figures.push({ metric: 'dense.p95', value: r.p95, unit: 'ms', params: { chunks, method, ...extra } });
      figures.push({
        metric: 'dense.recall@20',
        value: recallAt20,
        unit: 'fraction',
        params: { chunks, method, ...extra },
      });
      log(`${chunks} ${method}: p50 ${r.p50} ms, p95 ${r.p95} ms, recall@20 ${recallAt20}`);
    };
    const base = await mkdtemp(join(tmpdir(), 'sift-dense-bench-'));
    try {
      for (const n of sizes) {
        const queries = quick ? 50 : n >= 1_000_000 ? 100 : 200;
        const qv = real.queryVectors.subarray(0, queries * DIM);
        const matrix = expand(real.vectors, real.rows, n, n, synth);
        const tTruth = performance.now();
        const truth = await exactTruth(matrix, qv);
        log(`${n}: exact truth in ${((performance.now() - tTruth) / 1000).toFixed(1)} s`);

        const ids = Array.from({ length: n }, (_, i) => `r${i}`);
        const fill = (index: FlatDenseIndex) => {
          for (let i = 0; i < n; i += 10_000)
            index.upsert(ids.slice(i, i + 10_000), matrix.subarray(i * DIM, Math.min(n, i + 10_000) * DIM));
        };
        // The exact int8 scan: the default method at every size.
        const tBuild = performance.now();
        const rss0 = process.memoryUsage().rss;
        const index = await FlatDenseIndex.create(DIM, { graphMinRows: Infinity });
        fill(index);
        figures.push({
          metric: 'dense.build',
          value: round((performance.now() - tBuild) / 1000, 2),
          unit: 's',
          params: { chunks: n, method: 'sift memory index (from vectors in memory)' },
        });
        figures.push({
          metric: 'dense.memory',
          value: round(index.stats().bytes / 2 ** 20, 0),
          unit: 'MB',
          params: { chunks: n, method: 'sift memory index (fp32 + int8 matrices, capacity included)' },
        });
        log(
          `${n}: matrices ${round(index.stats().bytes / 2 ** 20, 0)} MB, RSS +${round((process.memoryUsage().rss - rss0) / 2 ** 20, 0)} MB`,
        );
        const one = await timed(qv, queries, (q) => index.search(q, K).map((h) => h.slot));
        add(n, 'sift memory index, exact int8 scan, 1 thread', one, recall(truth, one.rows), { rescore: 200 });
        {
          // The same matrices searched with 2 threads (a second index: 2 GB more at 1M).
          const two = await FlatDenseIndex.create(DIM, { threads: 2, graphMinRows: Infinity });
          fill(two);
          const t2 = await timed(qv, queries, (q) => two.search(q, K).map((h) => h.slot));
          add(n, 'sift memory index, exact int8 scan, 2 threads', t2, recall(truth, t2.rows), { rescore: 200 });
        }
        // The opt-in HNSW graph (built in the background from `graphMinRows` on; off by default), measured from SIFT_BENCH_DENSE_GRAPH_MIN rows.
        if (n >= graphAt) {
          const rssBefore = process.memoryUsage().rss;
          const tGraph = performance.now();
          const loadBefore = loadavg()[0]!;
          const graphed = await FlatDenseIndex.create(DIM, { graphMinRows: 1 });
          fill(graphed);
          await graphed.graphReady();
          const seconds = round((performance.now() - tGraph) / 1000, 1);
          const rss = round((process.memoryUsage().rss - rssBefore) / 2 ** 20, 0);
          figures.push({
            metric: 'dense.build',
            value: seconds,
            unit: 's',
            params: {
              chunks: n,
              method: 'sift memory index + HNSW graph (int8, M 16, ef_add 64, 2 threads)',
              load: `${loadBefore.toFixed(1)}-${loadavg()[0]!.toFixed(1)}`,
            },
          });
          figures.push({
            metric: 'dense.memory',
            value: rss,
            unit: 'MB',
            params: {
              chunks: n,
              method: 'sift memory index + HNSW graph, process RSS growth (matrices + graph + ids)',
            },
          });
          log(
            `${n}: graph built in ${seconds} s (load ${loadBefore.toFixed(1)}-${loadavg()[0]!.toFixed(1)}), RSS +${rss} MB`,
          );
          const g = await timed(qv, queries, (q) => graphed.search(q, K).map((h) => h.slot));
          add(n, 'sift memory index, HNSW graph (ef 200) + fp32 re-score of 200', g, recall(truth, g.rows), {
            rescore: 200,
          });
          for (const pool of [100, 400]) {
            const other = await timed(qv, queries, (q) => graphed.search(q, K, { rescore: pool }).map((h) => h.slot));
            add(
              n,
              `sift memory index, HNSW graph (ef ${Math.max(200, pool)}) + fp32 re-score of ${pool}`,
              other,
              recall(truth, other.rows),
              { rescore: pool },
            );
          }
          await graphed.dispose();
        }
        if (n <= 20_000) {
          const js = await timed(qv, Math.min(queries, 50), (q) => jsScan(matrix, n, q));
          add(n, 'JavaScript fp32 scan', js, recall(truth.slice(0, js.rows.length), js.rows));
        }

        if (n <= lanceMax) {
          const { store, seconds } = await writeStore(join(base, `s${n}`), matrix, n);
          log(`${n}: LanceDB store written in ${seconds} s`);
          const tWarm = performance.now();
          await store.warmDenseIndex();
          figures.push({
            metric: 'dense.build',
            value: round((performance.now() - tWarm) / 1000, 2),
            unit: 's',
            params: { chunks: n, method: 'sift memory index (loaded from the LanceDB store)' },
          });
          const viaStore = await timed(qv, queries, async (q) =>
            (await store.denseSearch(q, { k: K })).map((h) => rowOf(h.chunk.id)),
          );
          add(n, 'sift store.denseSearch (memory index, rows held in memory)', viaStore, recall(truth, viaStore.rows));
          const exactQueries = quick ? 20 : 50;
          const exact = await timed(qv, exactQueries, async (q) =>
            (await store.denseSearch(q, { k: K, exact: true })).map((h) => rowOf(h.chunk.id)),
          );
          add(
            n,
            'LanceDB exact scan (store.denseSearch exact)',
            exact,
            recall(truth.slice(0, exactQueries), exact.rows),
          );
          await store.close();
          const hnsw = await openLanceStore(join(base, `s${n}`), {
            tuning: { annMinRows: Number.MAX_SAFE_INTEGER, memoryIndex: false },
          });
          const tIndex = performance.now();
          await hnsw.createVectorIndex(n);
          figures.push({
            metric: 'dense.build',
            value: round((performance.now() - tIndex) / 1000, 1),
            unit: 's',
            params: { chunks: n, method: 'LanceDB HNSW-SQ' },
          });
          await hnsw.close();
          for (const ef of quick ? [300] : [100, 300]) {
            const tuned = await openLanceStore(join(base, `s${n}`), {
              tuning: { annMinRows: Number.MAX_SAFE_INTEGER, memoryIndex: false, ef },
            });
            const ann = await timed(qv, queries, async (q) =>
              (await tuned.denseSearch(q, { k: K })).map((h) => rowOf(h.chunk.id)),
            );
            add(n, `LanceDB HNSW-SQ ef=${ef}`, ann, recall(truth, ann.rows));
            await tuned.close();
          }
          await rm(join(base, `s${n}`), { recursive: true, force: true });
        } else {
          notes.push(
            `${n} chunks: LanceDB not run (writing ${n} rows and building its HNSW-SQ takes longer than a bench run may on this machine); the store path adds the row fetch measured at smaller sizes`,
          );
        }
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
    notes.push(`load average at end ${loadavg()[0]!.toFixed(1)} (2 cores shared with other engineers' work)`);
    return { figures, notes };
  },
};

export default suite;
