import type { RunResult } from '../aggregate-run.js';
import { compareRuns, type RunComparison } from '../compare-runs.js';
import type { MetricValues } from '../metrics/evaluate-query.js';
import type { Stage1Mode } from '../types.js';

/** p50 and p95 of one stage, milliseconds. */
export interface StageLatencyJson {
  p50: number;
  p95: number;
}

/** One configuration in the `--json` output. */
export interface RunJson {
  name: string;
  stage1: Stage1Mode;
  reranker: string | null;
  candidates: number;
  metrics: MetricValues;
  latency: { stage1: StageLatencyJson; rerank: StageLatencyJson | null; total: StageLatencyJson };
}

/** The `sift eval --json` document. */
export interface EvalReportJson {
  dataset: string;
  split: string;
  /** Queries that entered the means. */
  queries: number;
  runs: RunJson[];
}

/** Everything the reports render: the JSON figures plus per-query data for charts. */
export interface EvalReport {
  json: EvalReportJson;
  runs: RunResult[];
  /** Each re-ranked run against the stage-1 run of the same mode. */
  comparisons: RunComparison[];
  /** Query texts by id, for per-query tables. */
  queryText: ReadonlyMap<string, string>;
}

export interface BuildReportOptions {
  dataset: string;
  split: string;
  runs: RunResult[];
  /** Query texts by id (optional; per-query tables then show ids only). */
  queryText?: ReadonlyMap<string, string>;
  /** The metric of wins and losses (default `nDCG@10`). */
  compareOn?: string;
}

const ms = (x: number): number => Math.round(x * 100) / 100;

/**
 * Assembles the report of an evaluation: the JSON document of `--json`, and the comparisons of every
 * re-ranked run with its stage-1 base (same `stage1` mode, no re-ranker).
 *
 * @example
 * buildEvalReport({ dataset: 'scifact', split: 'test', runs }).json.runs[0].metrics['nDCG@10']; // 0.665
 */
export function buildEvalReport(options: BuildReportOptions): EvalReport {
  const { runs } = options;
  const json: EvalReportJson = {
    dataset: options.dataset,
    split: options.split,
    queries: Math.max(0, ...runs.map((r) => r.evaluated)),
    runs: runs.map((r) => ({
      name: r.name,
      stage1: r.stage1,
      reranker: r.reranker,
      candidates: r.candidates,
      metrics: r.metrics,
      latency: {
        stage1: { p50: ms(r.latency.stage1.p50), p95: ms(r.latency.stage1.p95) },
        rerank: r.latency.rerank === null ? null : { p50: ms(r.latency.rerank.p50), p95: ms(r.latency.rerank.p95) },
        total: { p50: ms(r.latency.total.p50), p95: ms(r.latency.total.p95) },
      },
    })),
  };
  const comparisons: RunComparison[] = [];
  for (const r of runs) {
    if (r.reranker === null) continue;
    const base = runs.find((b) => b.reranker === null && b.stage1 === r.stage1);
    if (base !== undefined) comparisons.push(compareRuns(base, r, options.compareOn ?? 'nDCG@10'));
  }
  return { json, runs, comparisons, queryText: options.queryText ?? new Map() };
}
