import { bootstrapInterval } from './bootstrap-interval.js';
import { pairedRandomization } from './paired-randomization.js';

export interface PairedTestOptions {
  /** Resamples of the randomization test and of the bootstrap (default 10,000). */
  resamples?: number;
  /** Seed of both (default 42). */
  seed?: number;
  /** Significance level (default 0.05; the interval is then 95 %). */
  alpha?: number;
}

/** The paired difference of one metric between two runs over the same queries. */
export interface PairedDifference {
  /** Queries compared (scored in both runs). */
  queries: number;
  /** Mean of the metric in the base run over those queries. */
  base: number;
  /** Mean in the other run. */
  other: number;
  /** other - base: the mean of the per-query differences. */
  delta: number;
  /** The (1 - alpha) percentile bootstrap interval of `delta`. */
  low: number;
  high: number;
  /** Two-sided p-value of the paired randomization test. */
  p: number;
  /** p < alpha. */
  significant: boolean;
}

/**
 * Tests whether two runs differ on a metric, query by query: the mean difference, its bootstrap
 * interval and a randomization p-value (see `pairedRandomization`, `bootstrapInterval`). Both use the
 * same seed, so a report is reproducible from its numbers and its seed.
 *
 * @example
 * pairedDifference([0, 1, 0.5], [1, 1, 1]);
 * // { queries: 3, base: 0.5, other: 1, delta: 0.5, low: ..., high: ..., p: 0.5, significant: false }
 */
export function pairedDifference(
  base: readonly number[],
  other: readonly number[],
  options: PairedTestOptions = {},
): PairedDifference {
  const n = Math.min(base.length, other.length);
  const diffs = Array.from({ length: n }, (_, i) => (other[i] ?? 0) - (base[i] ?? 0));
  const mean = (xs: readonly number[]): number =>
    xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
  const alpha = options.alpha ?? 0.05;
  const common = {
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  const [low, high] = bootstrapInterval(diffs, { ...common, level: 1 - alpha });
  const { p } = pairedRandomization(diffs, common);
  return {
    queries: n,
    base: mean(base.slice(0, n)),
    other: mean(other.slice(0, n)),
    delta: mean(diffs),
    low,
    high,
    p,
    significant: n > 0 && p < alpha,
  };
}
