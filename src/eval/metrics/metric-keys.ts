import { SiftError } from '../../errors.js';

/** The measures the harness computes; keys read `P@4`, `R@20`, `MRR@10`, `nDCG@10`. */
export type MeasureName = 'P' | 'R' | 'MRR' | 'nDCG';

/** Which cut-offs to compute for each measure. */
export interface MetricOptions {
  /** Cut-offs for P@k and R@k (default 1, 3, 4, 10, 20: 4 is what reaches the answer). */
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
 * The metrics to compute, in report order: P@k for each k, R@k for each k, then MRR and nDCG.
 *
 * @example
 * metricSpecs({ k: [4] }).map((m) => m.key); // ['P@4', 'R@4', 'MRR@10', 'nDCG@10']
 */
export function metricSpecs(options: MetricOptions = {}): MetricSpec[] {
  const ks = sortedUnique(options.k ?? DEFAULT_CUTOFFS);
  const spec = (measure: MeasureName, list: readonly number[]): MetricSpec[] =>
    sortedUnique(list).map((k) => ({ key: metricKey(measure, k), measure, k }));
  return [
    ...spec('P', ks),
    ...spec('R', ks),
    ...spec('MRR', options.mrrAt ?? [10]),
    ...spec('nDCG', options.ndcgAt ?? [10]),
  ];
}

function sortedUnique(list: readonly number[]): number[] {
  for (const k of list) {
    if (!Number.isInteger(k) || k < 1) {
      throw new SiftError('INVALID_OPTION', `cut-off ${k} is not a positive integer; use e.g. --k 1,3,4,10,20`);
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
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const ks = parts.map(Number);
  if (parts.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new SiftError('INVALID_OPTION', `${flag} ${value}: expected positive integers separated by commas, e.g. ${flag} 1,3,4,10,20`);
  }
  return sortedUnique(ks);
}

const LONG_NAMES: Record<MeasureName, string> = { P: 'Precision', R: 'Recall', MRR: 'MRR', nDCG: 'nDCG' };

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
