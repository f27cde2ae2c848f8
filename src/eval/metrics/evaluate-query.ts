import type { QueryJudgements } from '../types.js';
import { type MetricSpec, metricSpecs, type MetricOptions } from './metric-keys.js';
import { hitAtK } from './hit-at-k.js';
import { ndcgAtK } from './ndcg-at-k.js';
import { precisionAtK } from './precision-at-k.js';
import { countRelevant } from './ranked-grades.js';
import { recallAtK } from './recall-at-k.js';
import { reciprocalRankAtK } from './reciprocal-rank-at-k.js';

/** Metric values keyed like `P@4`, `nDCG@10`. */
export type MetricValues = Record<string, number>;

/**
 * All metrics of one query, or `undefined` when the query has no relevant (grade > 0) judgement.
 *
 * Queries without relevant documents are left out rather than scored 0: no ranking can do better
 * on them, so a 0 would measure the qrels, not the system. This is BEIR's mean (its loader keeps only
 * queries with relevant judgements); the number skipped is reported next to the means.
 *
 * @param ranked document ids as the system returned them, best first
 * @example
 * evaluateQuery(['a', 'x'], new Map([['a', 1]]), metricSpecs({ k: [1] }));
 * // { 'P@1': 1, 'R@1': 1, 'Hit@1': 1, 'MRR@10': 1, 'nDCG@10': 1 }
 */
export function evaluateQuery(
  ranked: readonly string[],
  judgements: QueryJudgements,
  specs: readonly MetricSpec[] | MetricOptions = {},
): MetricValues | undefined {
  if (countRelevant(judgements) === 0) return undefined;
  const list = Array.isArray(specs) ? (specs as readonly MetricSpec[]) : metricSpecs(specs as MetricOptions);
  const values: MetricValues = {};
  for (const { key, measure, k } of list) {
    values[key] =
      measure === 'P'
        ? precisionAtK(ranked, judgements, k)
        : measure === 'R'
          ? recallAtK(ranked, judgements, k)
          : measure === 'Hit'
            ? hitAtK(ranked, judgements, k)
            : measure === 'MRR'
              ? reciprocalRankAtK(ranked, judgements, k)
              : ndcgAtK(ranked, judgements, k);
  }
  return values;
}
