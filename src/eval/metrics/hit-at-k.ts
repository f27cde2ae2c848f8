import type { QueryJudgements } from '../types.js';
import { rankedGrades } from './ranked-grades.js';

/**
 * Hit@k (also called success@k): 1 when at least one relevant document (grade > 0) is in the first
 * `k` ranks, else 0; its mean over queries is the share of queries whose answer reached the top k.
 * It is the figure a RAG user reads first: P@k is capped when a query has fewer than k relevant
 * documents, and R@k depends on how many relevant documents exist, while an LLM needs only one.
 *
 * @example
 * hitAtK(['x', 'y', 'a'], new Map([['a', 1]]), 2); // 0
 * hitAtK(['x', 'y', 'a'], new Map([['a', 1]]), 3); // 1
 */
export function hitAtK(ranked: readonly string[], judgements: QueryJudgements, k: number): number {
  return rankedGrades(ranked, judgements, k).some((g) => g > 0) ? 1 : 0;
}
