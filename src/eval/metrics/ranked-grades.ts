import type { QueryJudgements } from '../types.js';

/**
 * The relevance grade at each of the first `k` ranks, as the metrics count it: the qrels grade when it
 * is > 0, else 0. Judged non-relevant (grade <= 0) and unjudged documents both count 0, as in
 * trec_eval. A document id seen again lower in the list counts 0 there, so a run cannot earn one
 * document's gain twice (trec_eval rejects such runs; we keep the slot the user sees but give it
 * no credit).
 *
 * @example
 * rankedGrades(['a', 'x', 'a', 'b'], new Map([['a', 2], ['b', -1]]), 3); // [2, 0, 0]
 */
export function rankedGrades(ranked: readonly string[], judgements: QueryJudgements, k: number): number[] {
  const seen = new Set<string>();
  const grades: number[] = [];
  for (const id of ranked.slice(0, Math.max(0, k))) {
    const grade = seen.has(id) ? 0 : (judgements.get(id) ?? 0);
    seen.add(id);
    grades.push(grade > 0 ? grade : 0);
  }
  return grades;
}

/**
 * The number of relevant (grade > 0) documents in the judgements: the denominator of Recall and the
 * size of nDCG's ideal ranking.
 *
 * @example
 * countRelevant(new Map([['a', 2], ['b', 0], ['c', 1]])); // 2
 */
export function countRelevant(judgements: QueryJudgements): number {
  let n = 0;
  for (const grade of judgements.values()) if (grade > 0) n += 1;
  return n;
}
