import { performance } from 'node:perf_hooks';
import type { VectorStore } from '../../src/stores/vector-store.js';
import { percentile } from './stats.js';

/**
 * Synthetic embeddings and dense-search timing shared by the stage-1 and PostgreSQL benchmarks, so
 * both stores are measured on the same vectors, the same way.
 */

/** A seeded xorshift32 stream of uniform numbers in (0, 1): never 0, so `Math.log(u())` is finite. */
export function xorshiftUniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
}

/** Uniformly distributed unit vectors: seeded xorshift32 + Box–Muller (Gaussian coordinates, normalised). */
export function uniformUnitVectors(count: number, dim: number, seed: number): Float32Array[] {
  const u = xorshiftUniform(seed);
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    return normalise(v);
  });
}

/**
 * Vectors with the cluster structure real embeddings have: 1,000 random unit centroids (topics), each
 * point a centroid plus Gaussian noise (cosine about 0.6 to its centroid), normalised. Queries drawn
 * the same way come from the same topics, so their nearest neighbours are meaningfully nearer than
 * the rest — uniformly random 384-d vectors are the worst case of every ANN index.
 */
export function clusteredUnitVectors(count: number, dim: number, seed: number): Float32Array[] {
  const centroids = uniformUnitVectors(1000, dim, 12345);
  const noise = uniformUnitVectors(count, dim, seed);
  let s = (seed * 2654435761) >>> 0 || 1;
  return noise.map((n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    const c = centroids[s % centroids.length]!;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = 0.6 * c[i]! + 0.8 * n[i]!;
    return normalise(v);
  });
}

/** `clustered` or `random` (uniform) vectors, as the benchmarks' `--data` flag says. */
export function unitVectors(data: 'random' | 'clustered', count: number, dim: number, seed: number): Float32Array[] {
  return data === 'clustered' ? clusteredUnitVectors(count, dim, seed) : uniformUnitVectors(count, dim, seed);
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

/** Latency of one dense query per vector (after `warmup` untimed ones) and each query's hit ids. */
export async function timeDenseQueries(
  store: Pick<VectorStore, 'denseSearch'>,
  queries: readonly Float32Array[],
  options: { k: number; exact: boolean; warmup?: number },
): Promise<{ p50Ms: number; p95Ms: number; meanMs: number; ids: string[][] }> {
  for (const q of queries.slice(0, options.warmup ?? 3))
    await store.denseSearch(q, { k: options.k, exact: options.exact });
  const times: number[] = [];
  const ids: string[][] = [];
  for (const q of queries) {
    const t = performance.now();
    const hits = await store.denseSearch(q, { k: options.k, exact: options.exact });
    times.push(performance.now() - t);
    ids.push(hits.map((h) => h.chunk.id));
  }
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    p50Ms: r(percentile(times, 50)),
    p95Ms: r(percentile(times, 95)),
    meanMs: r(times.reduce((a, b) => a + b, 0) / times.length),
    ids,
  };
}

/** Recall of approximate hits against exact ones, over all queries (rounded to 3 decimals). */
export function recallAgainst(exact: readonly string[][], ann: readonly string[][]): number {
  let hit = 0;
  let total = 0;
  exact.forEach((truth, i) => {
    const got = new Set(ann[i]);
    hit += truth.filter((id) => got.has(id)).length;
    total += truth.length;
  });
  return Math.round((hit / total) * 1000) / 1000;
}
