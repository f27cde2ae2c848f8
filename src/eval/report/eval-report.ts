import type { RunResult } from '../aggregate-run.js';
import { compareRuns, type RunComparison } from '../compare-runs.js';
import { groupRuns, type GroupResult } from '../groups.js';
import type { MetricValues } from '../metrics/evaluate-query.js';
import { mainMetrics } from '../metrics/metric-keys.js';
import { recommendReranking, type RerankRecommendation } from '../recommend-reranking.js';
import { pairSignificance, significancePairs, type PairSignificance } from '../significance.js';
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
  /** Paired differences of the main metrics between runs that differ only in re-ranking (`comparisons` is empty without re-ranked runs). */
  significance: SignificanceJson;
  /** "Should I re-rank?" per stage-1 mode with re-ranked runs. */
  recommendations: RerankRecommendation[];
  /** Per-tag breakdown of every metric (empty when no query has tags). */
  groups: GroupResult[];
}

/** How the paired tests were run, and their results. */
export interface SignificanceJson {
  method: string;
  /** Seed of the randomization test and the bootstrap: the same seed reproduces every figure. */
  seed: number;
  resamples: number;
  /** Significance level; the intervals cover 1 - alpha. */
  alpha: number;
  /** The metrics tested. */
  metrics: string[];
  comparisons: PairSignificance[];
}

/** Everything the reports render: the JSON figures plus per-query data for charts. */
export interface EvalReport {
  json: EvalReportJson;
  runs: RunResult[];
  /** Each re-ranked run against the stage-1 run of the same mode. */
  comparisons: RunComparison[];
  /** Query texts by id, for per-query tables. */
  queryText: ReadonlyMap<string, string>;
  /** The metric of the headline, the verdicts and the group chart (`P@4` by default). */
  headline: string;
}

export interface BuildReportOptions {
  dataset: string;
  split: string;
  runs: RunResult[];
  /** Query texts by id (optional; per-query tables then show ids only). */
  queryText?: ReadonlyMap<string, string>;
  /** The metric of wins and losses (default `nDCG@10`). */
  compareOn?: string;
  /** Tags per query id, for the per-tag breakdown. */
  queryTags?: ReadonlyMap<string, readonly string[]>;
  /** `--sweep`: also test every re-ranker against the first one at the same mode and candidates. */
  sweep?: boolean;
  /** Seed of the paired tests (default 42). */
  seed?: number;
  /** Resamples of the paired tests (default 10,000). */
  resamples?: number;
  /** Significance level (default 0.05). */
  alpha?: number;
  /** `--latency-budget-ms`: total p95 a re-ranked run must stay within to be recommended. */
  latencyBudgetMs?: number | undefined;
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
  const keys = Object.keys(runs[0]?.metrics ?? {});
  const tested = mainMetrics(keys);
  const headline = tested[0] ?? keys[0] ?? 'P@4';
  const seed = options.seed ?? 42;
  const resamples = options.resamples ?? 10_000;
  const alpha = options.alpha ?? 0.05;
  const significance = significancePairs(runs, { sweep: options.sweep ?? false }).map((pair) =>
    pairSignificance(pair, tested, { seed, resamples, alpha }),
  );
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
    significance: {
      method:
        'paired randomization test (sign flips, two-sided) for p; percentile bootstrap over queries for the interval',
      seed,
      resamples,
      alpha,
      metrics: tested,
      comparisons: significance,
    },
    recommendations: recommendReranking(runs, significance, {
      metric: headline,
      latencyBudgetMs: options.latencyBudgetMs,
    }),
    groups: groupRuns(runs, options.queryTags ?? new Map()),
  };
  const comparisons: RunComparison[] = [];
  for (const r of runs) {
    if (r.reranker === null) continue;
    const base = runs.find((b) => b.reranker === null && b.stage1 === r.stage1);
    if (base !== undefined) comparisons.push(compareRuns(base, r, options.compareOn ?? 'nDCG@10'));
  }
  return { json, runs, comparisons, queryText: options.queryText ?? new Map(), headline };
}
