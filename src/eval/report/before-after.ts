import type { RunResult } from '../aggregate-run.js';
import { metricLabel } from '../metrics/metric-keys.js';
import { formatDelta, formatMs } from './format.js';

/**
 * The headline of an evaluation, as the seed benchmark prints it: the metric and the typical
 * per-query latency (p50 of stage 1 plus re-ranking) without and with re-ranking, then the gain,
 * read "base -> re-ranked".
 *
 * @param metric default `P@4`: four chunks reach the answer
 * @example
 * beforeAfterLines(bm25, bm25Minilm);
 * // [ 'Without re-ranking: Precision@4 = 0.51, Latency = 8ms',
 * //   'With re-ranking: Precision@4 = 0.68, Latency = 95ms',
 * //   'Gain: Precision@4 0.51 -> 0.68 (+0.17, +33%), Latency 8ms -> 95ms (+87ms)' ]
 */
export function beforeAfterLines(base: RunResult, reranked: RunResult, metric = 'P@4'): string[] {
  const label = metricLabel(metric);
  const b = base.metrics[metric] ?? Number.NaN;
  const r = reranked.metrics[metric] ?? Number.NaN;
  const bl = base.latency.total.p50;
  const rl = reranked.latency.total.p50;
  // The difference is taken between the 2-decimal values shown, so "0.08 -> 0.16" never reads "+0.07";
  // the percentage uses the exact means.
  const shownDelta = Number(r.toFixed(2)) - Number(b.toFixed(2));
  const relative = b > 0 ? `, ${r >= b ? '+' : '-'}${Math.round((Math.abs(r - b) / b) * 100)}%` : '';
  return [
    `Without re-ranking: ${label} = ${b.toFixed(2)}, Latency = ${formatMs(bl)}`,
    `With re-ranking: ${label} = ${r.toFixed(2)}, Latency = ${formatMs(rl)}`,
    `Gain: ${label} ${b.toFixed(2)} -> ${r.toFixed(2)} (${formatDelta(shownDelta, 2)}${relative}), Latency ${formatMs(bl)} -> ${formatMs(rl)} (${rl >= bl ? '+' : '-'}${formatMs(Math.abs(rl - bl))})`,
  ];
}
