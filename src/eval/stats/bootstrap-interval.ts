import { percentile } from '../metrics/latency-stats.js';
import { seededRandom } from './seeded-random.js';

export interface BootstrapOptions {
  /** Bootstrap samples (default 10,000). */
  resamples?: number;
  /** Seed of the resampling (default 42). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * Percentile bootstrap confidence interval of the mean of `values` (per-query differences): draw n
 * queries with replacement `resamples` times, take each sample's mean, and read the (1 - level) / 2
 * and (1 + level) / 2 percentiles of those means (linear interpolation, as `percentile`). Paired by
 * construction: a query's two scores travel together in its difference. Seeded, so reproducible.
 * Returns `[NaN, NaN]` for no values.
 *
 * @example
 * bootstrapInterval([0.2, 0.2, 0.2]); // [0.2, 0.2]: every resample has the same mean
 */
export function bootstrapInterval(values: readonly number[], options: BootstrapOptions = {}): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const resamples = Math.max(1, Math.floor(options.resamples ?? 10_000));
  const level = Math.min(0.9999, Math.max(0.5, options.level ?? 0.95));
  const rng = seededRandom(options.seed ?? 42);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += values[rng.below(n)] ?? 0;
    means[r] = sum / n;
  }
  const sorted = Array.from(means);
  const lowP = ((1 - level) / 2) * 100;
  return [percentile(sorted, lowP), percentile(sorted, 100 - lowP)];
}
