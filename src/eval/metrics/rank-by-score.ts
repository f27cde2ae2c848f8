/** A document with the score a system gave it. */
export interface ScoredId {
  id: string;
  score: number;
}

/**
 * Orders scored documents the way trec_eval does before it computes anything: by score descending,
 * ties broken by document id descending (trec_eval compares docnos with `strcmp`; we compare UTF-16
 * code units, the same order for ASCII ids). The rank column of a run file is ignored by trec_eval.
 *
 * The metrics themselves take the ranked list as the system returned it, because that is the order a
 * user reads; use this when the input is scores (a TREC run file, or to compare with trec_eval), so
 * tied scores do not make results depend on input order. Returns a new array.
 *
 * @example
 * rankByScore([{ id: 'd1', score: 0.5 }, { id: 'd3', score: 0.5 }, { id: 'd2', score: 0.9 }]);
 * // ['d2', 'd3', 'd1']
 */
export function rankByScore(scored: readonly ScoredId[]): string[] {
  return [...scored].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((s) => s.id);
}
