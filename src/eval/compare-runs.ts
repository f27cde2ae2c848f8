import type { RunResult } from './aggregate-run.js';

/** One query's metric before and after re-ranking. */
export interface QueryDelta {
  queryId: string;
  base: number;
  reranked: number;
  /** reranked - base. */
  delta: number;
}

/** Per-query wins and losses of a re-ranked run against its stage-1 base. */
export interface RunComparison {
  base: string;
  reranked: string;
  metric: string;
  /** Queries the re-ranker improved. */
  wins: number;
  /** Queries it made worse. */
  losses: number;
  /** Queries with the same value (within `epsilon`), often both 0 or both 1. */
  ties: number;
  /** Mean of `delta` over compared queries. */
  meanDelta: number;
  /** Every compared query, largest gain first, then largest loss last; ties by query id. */
  perQuery: QueryDelta[];
}

/**
 * Compares two runs query by query on one metric (default `nDCG@10`). Only queries scored in both
 * runs are compared (queries without relevant judgements are in neither mean).
 *
 * @param epsilon differences at or below this count as ties (default 1e-9: floating-point noise only)
 * @example
 * const c = compareRuns(bm25, bm25Minilm, 'nDCG@10');
 * `${c.wins} wins, ${c.losses} losses, ${c.ties} ties`; // '88 wins, 31 losses, 181 ties'
 */
export function compareRuns(base: RunResult, reranked: RunResult, metric = 'nDCG@10', epsilon = 1e-9): RunComparison {
  const before = new Map(base.perQuery.map((q) => [q.queryId, q.metrics?.[metric]]));
  const perQuery: QueryDelta[] = [];
  for (const q of reranked.perQuery) {
    const b = before.get(q.queryId);
    const r = q.metrics?.[metric];
    if (b === undefined || r === undefined) continue;
    perQuery.push({ queryId: q.queryId, base: b, reranked: r, delta: r - b });
  }
  perQuery.sort((x, y) => y.delta - x.delta || (x.queryId < y.queryId ? -1 : x.queryId > y.queryId ? 1 : 0));
  const wins = perQuery.filter((q) => q.delta > epsilon).length;
  const losses = perQuery.filter((q) => q.delta < -epsilon).length;
  const meanDelta = perQuery.length === 0 ? 0 : perQuery.reduce((s, q) => s + q.delta, 0) / perQuery.length;
  return {
    base: base.name,
    reranked: reranked.name,
    metric,
    wins,
    losses,
    ties: perQuery.length - wins - losses,
    meanDelta,
    perQuery,
  };
}
