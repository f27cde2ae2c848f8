import { SiftError } from '../errors.js';
import { aggregateRun, type QueryRun, type RunResult } from './aggregate-run.js';
import type { MetricOptions } from './metrics/metric-keys.js';
import type { RelevanceJudge } from './relevance-judge.js';
import type { EvalChunk, EvalQuery, RunConfig, StageLatency } from './types.js';

/** What one search of one configuration returned. */
export interface RunSearchResult {
  /** Final ranked chunks, best first (re-ranked ones for two-stage configurations). */
  chunks: readonly EvalChunk[];
  latency: StageLatency;
}

/** Runs one query under one configuration; the retrieval stack supplies it. */
export type RunSearch = (query: EvalQuery, config: RunConfig) => Promise<RunSearchResult>;

export interface EvaluateRunsOptions {
  queries: readonly EvalQuery[];
  judge: RelevanceJudge;
  configs: readonly RunConfig[];
  search: RunSearch;
  /** Cut-offs (default `--k 1,3,4,10,20`, MRR@10, nDCG@10). */
  metrics?: MetricOptions;
  /**
   * Queries run once per configuration before timing starts (default 1, range 0–5), so model loading
   * and JIT warm-up do not land in the first query's latency. Their results are discarded.
   */
  warmup?: number;
  /** Called after each query with the number done and the total (configurations × queries). */
  onProgress?: (done: number, total: number, config: RunConfig) => void;
  /** Cancels between queries. */
  signal?: AbortSignal;
}

/**
 * Evaluates every configuration on every query, one query at a time so latencies are not disturbed
 * by concurrent work, in a fixed order so results are deterministic for deterministic retrievers.
 * `sift eval` is this loop plus dataset loading, a `search` built from the retrieval stack, and a
 * report.
 *
 * @example
 * const runs = await evaluateRuns({ queries: ds.queries, judge: documentJudge(ds.qrels),
 *   configs: expandRunConfigs({ modes: ['bm25'] }), search });
 * runs[0].metrics['nDCG@10']; // 0.665 for BEIR's BM25 on SciFact
 */
export async function evaluateRuns(options: EvaluateRunsOptions): Promise<RunResult[]> {
  const { queries, judge, configs, search, signal } = options;
  const warmup = Math.min(Math.max(0, options.warmup ?? 1), queries.length);
  const total = configs.length * queries.length;
  let done = 0;
  const results: RunResult[] = [];
  for (const config of configs) {
    for (const q of queries.slice(0, warmup)) await search(q, config);
    const runs: QueryRun[] = [];
    for (const q of queries) {
      if (signal?.aborted) throw new SiftError('ABORTED', `evaluation aborted during ${config.name}`);
      const { chunks, latency } = await search(q, config);
      runs.push({ queryId: q.id, ranked: judge.rank(q.id, chunks), latency });
      done += 1;
      options.onProgress?.(done, total, config);
    }
    results.push(aggregateRun(config, runs, judge.qrels, options.metrics));
  }
  return results;
}
