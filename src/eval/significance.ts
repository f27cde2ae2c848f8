import type { RunResult } from './aggregate-run.js';
import { pairedDifference, type PairedDifference, type PairedTestOptions } from './stats/paired-difference.js';

/** Why two runs are compared: re-ranking against stage 1 alone, or one re-ranker against another. */
export type ComparisonKind = 'rerank' | 'reranker';

/** Two runs over the same queries that differ only in re-ranking. */
export interface RunPair {
  base: RunResult;
  other: RunResult;
  kind: ComparisonKind;
}

/** The paired differences of the main metrics between two runs. */
export interface PairSignificance {
  base: string;
  other: string;
  kind: ComparisonKind;
  /** Queries scored in both runs. */
  queries: number;
  /** Per metric key (`P@4`, `Hit@4`, `MRR@10`, `nDCG@10`). */
  metrics: Record<string, PairedDifference>;
}

/**
 * The pairs of runs that differ only in re-ranking, in run order: every re-ranked run against the
 * stage-1 run of its mode; with `sweep`, also every other re-ranker against the first one named, at
 * the same mode and candidate count (same candidates, different judge).
 *
 * @example
 * significancePairs(runs, { sweep: true }).map((p) => `${p.base.name} -> ${p.other.name}`);
 * // ['bm25 -> bm25+tiny@20', 'bm25 -> bm25+mini@20', 'bm25+tiny@20 -> bm25+mini@20']
 */
export function significancePairs(runs: readonly RunResult[], options: { sweep?: boolean } = {}): RunPair[] {
  const pairs: RunPair[] = [];
  for (const r of runs) {
    if (r.reranker === null) continue;
    const base = runs.find((b) => b.reranker === null && b.stage1 === r.stage1);
    if (base !== undefined) pairs.push({ base, other: r, kind: 'rerank' });
  }
  if (options.sweep) {
    const first = runs.find((r) => r.reranker !== null)?.reranker;
    for (const r of runs) {
      if (r.reranker === null || r.reranker === first) continue;
      const base = runs.find((b) => b.reranker === first && b.stage1 === r.stage1 && b.candidates === r.candidates);
      if (base !== undefined) pairs.push({ base, other: r, kind: 'reranker' });
    }
  }
  return pairs;
}

/**
 * Paired significance of `metrics` between two runs: for each metric the per-query values of the
 * queries scored in both runs (query id order is the base run's), then `pairedDifference`.
 *
 * @example
 * const s = pairSignificance({ base: bm25, other: bm25Mini, kind: 'rerank' }, ['P@4', 'nDCG@10']);
 * s.metrics['P@4']; // { delta: 0.19, low: 0.12, high: 0.26, p: 0.0001, significant: true, ... }
 */
export function pairSignificance(
  pair: RunPair,
  metrics: readonly string[],
  options: PairedTestOptions = {},
): PairSignificance {
  const other = new Map(pair.other.perQuery.map((q) => [q.queryId, q.metrics]));
  const both = pair.base.perQuery.flatMap((q) => {
    const o = other.get(q.queryId);
    return q.metrics !== null && o !== null && o !== undefined ? [{ base: q.metrics, other: o }] : [];
  });
  const out: Record<string, PairedDifference> = {};
  for (const key of metrics) {
    out[key] = pairedDifference(
      both.map((q) => q.base[key] ?? 0),
      both.map((q) => q.other[key] ?? 0),
      options,
    );
  }
  return { base: pair.base.name, other: pair.other.name, kind: pair.kind, queries: both.length, metrics: out };
}
