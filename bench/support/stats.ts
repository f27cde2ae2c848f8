import { percentile } from '../../src/eval/metrics/latency-stats.js';

export { percentile };

/** The median (linear interpolation, as numpy). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Rounds for display and JSON: 3 significant digits below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value);
  if (abs === 0) return 0;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(abs)));
  return Number(value.toFixed(Math.min(digits, 6)));
}

/** Wall-clock and process CPU milliseconds of each run of each variant. */
export interface InterleavedTimes<K extends string> {
  wall: Record<K, number[]>;
  /**
   * User + system CPU time of the whole process (onnxruntime's threads included). For one-thread
   * variants it measures the work itself and barely moves when other processes take the cores,
   * so it is the steadier signal for A/B decisions on a shared machine; spinning threads count too.
   */
  cpu: Record<K, number[]>;
}

/**
 * Times variants side by side: `reps` rounds, each running every variant once in turn (the order
 * rotates each round), so machine noise from other processes falls on all variants alike instead of
 * on whichever ran during a busy minute.
 *
 * @example
 * const t = await interleaveTimes({ a: () => work(1), b: () => work(2) }, 5);
 * median(t.wall.a) / median(t.wall.b)
 */
export async function interleaveTimes<K extends string>(
  variants: Record<K, () => Promise<unknown>>,
  reps: number,
): Promise<InterleavedTimes<K>> {
  const keys = Object.keys(variants) as K[];
  const empty = (): Record<K, number[]> =>
    Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const wall = empty();
  const cpu = empty();
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(j + r) % keys.length]!;
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await variants[key]();
      wall[key].push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu[key].push((used.user + used.system) / 1000);
    }
  }
  return { wall, cpu };
}

/** {@link interleaveTimes}, wall-clock milliseconds only. */
export async function interleave<K extends string>(
  variants: Record<K, () => Promise<unknown>>,
  reps: number,
): Promise<Record<K, number[]>> {
  return (await interleaveTimes(variants, reps)).wall;
}

/** Median over rounds of `a[i] / b[i]`: a ratio of runs made seconds apart, steadier than a ratio of medians. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

/** Runs `fn` `count` times, untimed, so sessions plan, allocate and JIT before measuring. */
export async function warmUp(fn: () => Promise<unknown>, count = 2): Promise<void> {
  for (let i = 0; i < count; i++) await fn();
}
