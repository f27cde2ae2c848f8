/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32), so significance
 * tests give the same p-values and intervals on every machine and every run with the same seed.
 * Not for cryptography; statistically good enough for resampling a few hundred queries.
 */
export interface SeededRandom {
  /** The next unsigned 32-bit integer. */
  nextUint32(): number;
  /** The next float in [0, 1). */
  next(): number;
  /** The next integer in [0, n). */
  below(n: number): number;
}

/**
 * @example
 * const a = seededRandom(42); const b = seededRandom(42);
 * a.next() === b.next(); // true
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextUint32() / 4294967296;
  return { nextUint32, next, below: (n) => Math.floor(next() * n) };
}
