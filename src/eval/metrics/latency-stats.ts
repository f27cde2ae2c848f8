/** Summary of per-query wall-clock times in milliseconds. */
export interface LatencyStats {
  p50: number;
  p95: number;
  mean: number;
  /** How many timings were summarised. */
  count: number;
}

/**
 * The p-th percentile (0–100) of `values` by linear interpolation between closest ranks: sort
 * ascending, take position h = (n - 1) * p / 100, and interpolate between the values at floor(h)
 * and ceil(h). This is numpy's default (`percentile(..., method='linear')`, Hyndman & Fan type 7),
 * so figures compare directly with Python harnesses. NaN for no values.
 *
 * @example
 * percentile([10, 20, 30, 40], 50); // h = 1.5 -> 20 + 0.5 * (30 - 20) = 25
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * Math.min(100, Math.max(0, p))) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (h - lo) * (b - a);
}

/**
 * p50, p95 and mean of per-query timings (see `percentile` for the method).
 *
 * @example
 * latencyStats([8, 9, 10, 40]); // { p50: 9.5, p95: 35.5, mean: 16.75, count: 4 }
 */
export function latencyStats(values: readonly number[]): LatencyStats {
  const mean = values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
  return { p50: percentile(values, 50), p95: percentile(values, 95), mean, count: values.length };
}
