import { seededRandom } from './seeded-random.js';

export interface RandomizationOptions {
  /** Random sign assignments when the exact test is too large (default 10,000). */
  resamples?: number;
  /** Seed of the sign assignments (default 42): the same seed gives the same p-value. */
  seed?: number;
  /**
   * Enumerate all 2^n sign assignments when 2^n <= `resamples` (default true): then the p-value is
   * exact and needs no seed. `false` always samples (tests compare the two).
   */
  exact?: boolean;
}

/** A two-sided p-value and how it was obtained. */
export interface RandomizationResult {
  p: number;
  /** `exact`: all 2^n assignments; `sampled`: `resamples` random ones. */
  method: 'exact' | 'sampled';
  /** Assignments evaluated. */
  assignments: number;
}

/** Relative slack for "at least as extreme", so sums that are equal on paper compare equal in floats. */
const SLACK = 1e-9;

/**
 * Two-sided paired randomization (sign-flip) test of "the mean per-query difference is 0".
 *
 * Under the null hypothesis the two systems are exchangeable on every query, so each difference d_i
 * is as likely to have had the opposite sign. The p-value is the share of sign assignments whose
 * |sum| is at least the observed |sum|. Exact when 2^n <= `resamples` (all assignments, the observed
 * one included); otherwise `resamples` random assignments with p = (1 + hits) / (1 + resamples),
 * which never reports 0 (Phipson & Smyth 2010). Zero differences do not move the sum, so ties
 * count for neither system. This is the test Smucker, Allan & Carterette (2007) recommend for IR.
 *
 * @param diffs per-query differences (other - base)
 * @example
 * // all 8 assignments of [1, 1, 1]: sums 3, 1, 1, 1, -1, -1, -1, -3; |sum| >= 3 twice
 * pairedRandomization([1, 1, 1]).p; // 0.25
 */
export function pairedRandomization(diffs: readonly number[], options: RandomizationOptions = {}): RandomizationResult {
  const resamples = Math.max(1, Math.floor(options.resamples ?? 10_000));
  const n = diffs.length;
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  const scale = diffs.reduce((s, d) => s + Math.abs(d), 0);
  const threshold = observed - SLACK * Math.max(1, scale);
  if (n === 0 || scale === 0) return { p: 1, method: 'exact', assignments: 1 };
  if ((options.exact ?? true) && n <= 30 && 2 ** n <= resamples) {
    let hits = 0;
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask += 1) {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += mask & (1 << i) ? -(diffs[i] ?? 0) : (diffs[i] ?? 0);
      if (Math.abs(sum) >= threshold) hits += 1;
    }
    return { p: hits / total, method: 'exact', assignments: total };
  }
  const rng = seededRandom(options.seed ?? 42);
  let hits = 0;
  for (let r = 0; r < resamples; r += 1) {
    let sum = 0;
    let bits = 0;
    for (let i = 0; i < n; i += 1) {
      if (i % 32 === 0) bits = rng.nextUint32();
      sum += bits & 1 ? -(diffs[i] ?? 0) : (diffs[i] ?? 0);
      bits >>>= 1;
    }
    if (Math.abs(sum) >= threshold) hits += 1;
  }
  return { p: (1 + hits) / (1 + resamples), method: 'sampled', assignments: resamples };
}
