import type { QueryJudgements } from '../types.js';
import { rankedGrades } from './ranked-grades.js';

/** DCG of a list of gains: sum of gain_i / log2(i + 1) over ranks i = 1..n. */
function dcg(gains: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < gains.length; i += 1) sum += (gains[i] ?? 0) / Math.log2(i + 2);
  return sum;
}

/**
 * nDCG@k with trec_eval `ndcg_cut` conventions (the ones BEIR reports through pytrec_eval):
 * gain = the grade itself (linear, not 2^grade - 1), discount log2(rank + 1), and the ideal DCG
 * from all relevant (grade > 0) documents in the qrels sorted by grade, whether retrieved or not.
 * Grades <= 0 and unjudged documents gain nothing. Returns 0 for a query without relevant documents;
 * `evaluateQuery` leaves such queries out of means.
 *
 * @example
 * // ranks: a (grade 2), x (unjudged), b (grade 1); ideal: 2, 1
 * // DCG = 2/log2(2) + 0 + 1/log2(4) = 2.5; IDCG = 2 + 1/log2(3) = 2.6309; nDCG = 0.9502
 * ndcgAtK(['a', 'x', 'b'], new Map([['a', 2], ['b', 1]]), 10); // 0.9502...
 */
export function ndcgAtK(ranked: readonly string[], judgements: QueryJudgements, k: number): number {
  const ideal = [...judgements.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, Math.max(0, k));
  const idcg = dcg(ideal);
  if (idcg === 0) return 0;
  return dcg(rankedGrades(ranked, judgements, k)) / idcg;
}
