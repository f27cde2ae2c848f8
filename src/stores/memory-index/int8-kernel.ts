import { toSiftError } from '../../errors.js';

/** Top-k by int8 dot product over a row-major matrix: the first pass of `FlatDenseIndex`. */
export interface Int8Kernel {
  /** Rows (indexes into `matrix`) of the `count` largest dot products with `query`, best first. */
  topK(matrix: Int8Array, query: Int8Array, dimension: number, count: number, threads: number): Uint32Array;
}

let loading: Promise<Int8Kernel> | undefined;

/**
 * The native int8 kernel: USearch's exact search (prebuilt binaries for Linux, macOS and Windows on
 * x64 and arm64; SimSIMD dot products with AVX-512 VNNI / AVX2 / NEON), much faster than its fp32 path
 * and than a JavaScript fp32 loop (`bench/dense-index.bench.ts`, bench/RESULTS.md). Loaded once,
 * lazily, so commands that never search vectors do not load it.
 */
export function loadInt8Kernel(): Promise<Int8Kernel> {
  loading ??= import('usearch').then(
    (mod) => {
      const exactSearch = mod.exactSearch ?? mod.default.exactSearch;
      return {
        topK(matrix, query, dimension, count, threads) {
          const m = exactSearch(matrix, query, dimension, count, mod.MetricKind?.IP ?? ('ip' as never), threads);
          const keys = m.keys;
          const out = new Uint32Array(keys.length);
          for (let i = 0; i < keys.length; i++) out[i] = Number(keys[i]);
          return out;
        },
      };
    },
    (err: unknown) => {
      loading = undefined;
      throw toSiftError(
        err,
        'STORE_ERROR',
        'cannot load the native vector kernel (the usearch package); reinstall sift for this platform',
      );
    },
  );
  return loading;
}
