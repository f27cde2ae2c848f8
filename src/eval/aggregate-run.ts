import { evaluateQuery, type MetricValues } from './metrics/evaluate-query.js';
import { latencyStats, type LatencyStats } from './metrics/latency-stats.js';
import { metricSpecs, type MetricOptions } from './metrics/metric-keys.js';
import type { Qrels, RunConfig, Stage1Mode, StageLatency } from './types.js';

/** What one query of one configuration returned. */
export interface QueryRun {
  queryId: string;
  /** Judged ids, best first, as `RelevanceJudge.rank` returns them. */
  ranked: readonly string[];
  latency: StageLatency;
}

/** One query's outcome within a run. */
export interface QueryOutcome {
  queryId: string;
  /** `null` when the query has no relevant judgement and is left out of the means. */
  metrics: MetricValues | null;
  latency: StageLatency;
  /** The first ids returned, for reports (at most 20). */
  top: string[];
}

/** The measured result of one configuration. */
export interface RunResult {
  name: string;
  stage1: Stage1Mode;
  /** `null` for stage-1-only runs (JSON has no undefined). */
  reranker: string | null;
  candidates: number;
  /** Means over the evaluated queries, keyed `P@4`, `R@20`, `MRR@10`, `nDCG@10`, ... */
  metrics: MetricValues;
  latency: {
    stage1: LatencyStats;
    /** `null` for stage-1-only runs. */
    rerank: LatencyStats | null;
    /** Stage 1 plus re-ranking, per query. */
    total: LatencyStats;
  };
  /** Queries that entered the means. */
  evaluated: number;
  /** Ids of queries without relevant judgements (run, timed, not scored). */
  skipped: string[];
  perQuery: QueryOutcome[];
}

/**
 * Computes a configuration's metrics (means over queries that have relevant judgements), latency
 * statistics over all queries run, and per-query values for comparisons and reports.
 *
 * @example
 * const run = aggregateRun(config, [{ queryId: '1', ranked: ['d1'], latency: { stage1Ms: 8 } }], qrels, { k: [4] });
 * run.metrics['P@4']; // 0.25 when d1 is relevant
 */
export function aggregateRun(
  config: RunConfig,
  queries: readonly QueryRun[],
  qrels: Qrels,
  options: MetricOptions = {},
): RunResult {
  const specs = metricSpecs(options);
  const sums: Record<string, number> = Object.fromEntries(specs.map((s) => [s.key, 0]));
  const perQuery: QueryOutcome[] = [];
  const skipped: string[] = [];
  let evaluated = 0;
  for (const q of queries) {
    const values = evaluateQuery(q.ranked, qrels.get(q.queryId) ?? new Map<string, number>(), specs);
    if (values === undefined) skipped.push(q.queryId);
    else {
      evaluated += 1;
      for (const s of specs) sums[s.key] = (sums[s.key] ?? 0) + (values[s.key] ?? 0);
    }
    perQuery.push({ queryId: q.queryId, metrics: values ?? null, latency: q.latency, top: q.ranked.slice(0, 20) });
  }
  const metrics: MetricValues = Object.fromEntries(
    specs.map((s) => [s.key, evaluated === 0 ? 0 : (sums[s.key] ?? 0) / evaluated]),
  );
  const reranked = config.reranker !== undefined;
  return {
    name: config.name,
    stage1: config.stage1,
    reranker: config.reranker ?? null,
    candidates: config.candidates,
    metrics,
    latency: {
      stage1: latencyStats(queries.map((q) => q.latency.stage1Ms)),
      rerank: reranked ? latencyStats(queries.map((q) => q.latency.rerankMs ?? 0)) : null,
      total: latencyStats(queries.map((q) => q.latency.stage1Ms + (q.latency.rerankMs ?? 0))),
    },
    evaluated,
    skipped,
    perQuery,
  };
}
