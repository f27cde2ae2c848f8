import { loadUsearch } from './load-usearch.js';

/** Top-k by int8 dot product over a row-major matrix: the first pass of `FlatDenseIndex`. */
export interface Int8Kernel {
  /** Rows (indexes into `matrix`) of the `count` largest dot products with `query`, best first. */
  topK(matrix: Int8Array, query: Int8Array, dimension: number, count: number, threads: number): Uint32Array;
}

let loading: Promise<Int8Kernel> | undefined;

/**
 * The native int8 kernel: USearch's exact search, much faster than its fp32 path and than a
 * JavaScript fp32 loop (`bench/dense-index.bench.ts`, bench/RESULTS.md). Loaded once, lazily.
 */
export function loadInt8Kernel(): Promise<Int8Kernel> {
  loading ??= loadUsearch().then(
    (mod) => ({
      topK(matrix, query, dimension, count, threads) {
        const keys = mod.exactSearch(matrix, query, dimension, count, mod.MetricKind.IP, threads).keys;
        const out = new Uint32Array(keys.length);
        for (let i = 0; i < keys.length; i++) out[i] = Number(keys[i]);
        return out;
      },
    }),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
