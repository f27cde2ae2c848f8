import type { QueryJudgements } from '../types.js';
import { countRelevant, rankedGrades } from './ranked-grades.js';

/**
 * R@k: the share of all relevant documents (grade > 0 in the qrels) found in the first `k` ranks.
 * Returns 0 for a query without relevant documents; `evaluateQuery` leaves such queries out of means.
 *
 * @example
 * recallAtK(['a', 'x', 'b'], new Map([['a', 1], ['b', 1], ['c', 1], ['d', 0]]), 2); // 1 / 3
 */
export function recallAtK(ranked: readonly string[], judgements: QueryJudgements, k: number): number {
  const relevant = countRelevant(judgements);
  if (relevant === 0) return 0;
  return rankedGrades(ranked, judgements, k).filter((g) => g > 0).length / relevant;
}
