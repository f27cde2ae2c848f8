import { SiftError } from '../../errors.js';

/** The measures the harness computes; keys read `P@4`, `R@20`, `Hit@4`, `MRR@10`, `nDCG@10`. */
export type MeasureName = 'P' | 'R' | 'Hit' | 'MRR' | 'nDCG';

/** Which cut-offs to compute for each measure. */
export interface MetricOptions {
  /** Cut-offs for P@k, R@k and Hit@k (default 1, 3, 4, 10, 20: 4 is what reaches the answer). */
  k?: readonly number[];
  /** Cut-offs for MRR@k (default 10, the MS MARCO convention). */
  mrrAt?: readonly number[];
  /** Cut-offs for nDCG@k (default 10, the BEIR headline measure). */
  ndcgAt?: readonly number[];
}

/** The default `--k` list. */
export const DEFAULT_CUTOFFS: readonly number[] = [1, 3, 4, 10, 20];

/** One metric to compute: its key in reports, the measure and the cut-off. */
export interface MetricSpec {
  key: string;
  measure: MeasureName;
  k: number;
}

/** The key of a measure at a cut-off. @example metricKey('nDCG', 10); // 'nDCG@10' */
export function metricKey(measure: MeasureName, k: number): string {
  return `${measure}@${k}`;
}

/**
 * The metrics to compute, in report order: P@k, R@k and Hit@k for each k, then MRR and nDCG.
 *
 * @example
 * metricSpecs({ k: [4] }).map((m) => m.key); // ['P@4', 'R@4', 'Hit@4', 'MRR@10', 'nDCG@10']
 */
export function metricSpecs(options: MetricOptions = {}): MetricSpec[] {
  const ks = sortedUnique(options.k ?? DEFAULT_CUTOFFS);
  const spec = (measure: MeasureName, list: readonly number[]): MetricSpec[] =>
    sortedUnique(list).map((k) => ({ key: metricKey(measure, k), measure, k }));
  return [
    ...spec('P', ks),
    ...spec('R', ks),
    ...spec('Hit', ks),
    ...spec('MRR', options.mrrAt ?? [10]),
    ...spec('nDCG', options.ndcgAt ?? [10]),
  ];
}

function sortedUnique(list: readonly number[]): number[] {
  for (const k of list) {
    if (!Number.isInteger(k) || k < 1) {
      throw new SiftError('INVALID_OPTION', `\`k\` cut-off ${k} is not a positive integer; use e.g. 1,3,4,10,20`, {
        details: { option: 'k' },
      });
    }
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * Parses a `--k` value such as `1,3,4,10,20`.
 *
 * @example
 * parseCutoffs('10, 1,4'); // [1, 4, 10]
 */
export function parseCutoffs(value: string, flag = '--k'): number[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ks = parts.map(Number);
  if (parts.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new SiftError(
      'INVALID_OPTION',
      `${flag} ${value}: expected positive integers separated by commas, e.g. ${flag} 1,3,4,10,20`,
    );
  }
  return sortedUnique(ks);
}

const LONG_NAMES: Record<MeasureName, string> = { P: 'Precision', R: 'Recall', Hit: 'Hit', MRR: 'MRR', nDCG: 'nDCG' };

/**
 * The spelled-out name of a metric key, for sentences.
 *
 * @example
 * metricLabel('P@4'); // 'Precision@4'
 */
export function metricLabel(key: string): string {
  const [measure, k] = key.split('@');
  const long = LONG_NAMES[measure as MeasureName];
  return long === undefined || k === undefined ? key : `${long}@${k}`;
}

/**
 * The cut-off of the headline metrics (P@k, Hit@k) among the `--k` list: 4 when present (four chunks
 * reach the answer, the seed benchmark's P@4), else the smallest k above 4, else the largest.
 *
 * @example
 * headlineCutoff([1, 3, 4, 10, 20]); // 4
 * headlineCutoff([1, 5, 10]); // 5
 */
export function headlineCutoff(ks: readonly number[] = DEFAULT_CUTOFFS): number {
  const sorted = [...ks].sort((a, b) => a - b);
  if (sorted.includes(4)) return 4;
  return sorted.find((k) => k > 4) ?? sorted[sorted.length - 1] ?? 4;
}

/**
 * The metrics tested for significance and shown in verdicts: P@h, Hit@h (h = `headlineCutoff`),
 * MRR@10 and nDCG@10, those present in `keys`.
 *
 * @example
 * mainMetrics(['P@1', 'P@4', 'R@4', 'Hit@4', 'MRR@10', 'nDCG@10']); // ['P@4', 'Hit@4', 'MRR@10', 'nDCG@10']
 */
export function mainMetrics(keys: readonly string[]): string[] {
  const ks = keys.filter((k) => k.startsWith('P@')).map((k) => Number(k.slice(2)));
  const h = headlineCutoff(ks.length > 0 ? ks : DEFAULT_CUTOFFS);
  const main = [
    `P@${h}`,
    `Hit@${h}`,
    ...keys.filter((k) => k.startsWith('MRR@')),
    ...keys.filter((k) => k.startsWith('nDCG@')),
  ];
  return [...new Set(main)].filter((k) => keys.includes(k));
}
