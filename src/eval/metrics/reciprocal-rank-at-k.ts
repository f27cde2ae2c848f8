import type { QueryJudgements } from '../types.js';
import { rankedGrades } from './ranked-grades.js';

/**
 * RR@k: 1 / rank of the first relevant document within the first `k` ranks, 0 when none; its mean
 * over queries is MRR@k (the MS MARCO measure, cut at 10).
 *
 * @example
 * reciprocalRankAtK(['x', 'y', 'a'], new Map([['a', 1]]), 10); // 1 / 3
 */
export function reciprocalRankAtK(ranked: readonly string[], judgements: QueryJudgements, k: number): number {
  const first = rankedGrades(ranked, judgements, k).findIndex((g) => g > 0);
  return first === -1 ? 0 : 1 / (first + 1);
}
