import type { QueryJudgements } from '../types.js';
import { rankedGrades } from './ranked-grades.js';

/**
 * P@k: the share of the first `k` ranks that hold a relevant document (grade > 0). The denominator
 * is always `k`, even when fewer than `k` results came back (trec_eval `P_k`): a system that returns
 * one good hit where four were asked is not as precise as one that returns four.
 *
 * @example
 * precisionAtK(['a', 'x', 'b'], new Map([['a', 1], ['b', 2]]), 4); // 2 / 4 = 0.5
 */
export function precisionAtK(ranked: readonly string[], judgements: QueryJudgements, k: number): number {
  if (k <= 0) return 0;
  return rankedGrades(ranked, judgements, k).filter((g) => g > 0).length / k;
}
