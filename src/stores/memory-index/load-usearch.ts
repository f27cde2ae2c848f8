import { toSiftError } from '../../errors.js';

/** USearch's exports (npm `usearch`), whether Node hands them over as named exports or as a CommonJS default. */
export type Usearch = typeof import('usearch');

let loading: Promise<Usearch> | undefined;

/**
 * USearch (prebuilt native binaries for Linux, macOS and Windows on x64 and arm64; SimSIMD distances
 * with AVX-512 VNNI / AVX2 / NEON), imported once and lazily, so commands that never search vectors do
 * not load it. A failed import is a STORE_ERROR, and the next call tries again.
 */
export function loadUsearch(): Promise<Usearch> {
  loading ??= import('usearch').then(
    (mod) => ((mod as Partial<Usearch>).exactSearch ? mod : (mod as unknown as { default: Usearch }).default),
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
