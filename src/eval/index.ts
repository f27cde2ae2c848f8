/**
 * `sift-rerank/eval`: the evaluation layer (datasets, metrics, runs, paired significance, the re-rank
 * verdict and reports): the public API only; the tables and charts behind the reports stay internal. `sift eval` is a thin wrapper over `evaluateDataset`.
 *
 * @example
 * import { evaluateDataset } from 'sift-rerank/eval';
 * const { runs } = await evaluateDataset({ dataset: 'scifact', rerankers: ['cross-encoder/ms-marco-MiniLM-L-6-v2'] });
 */
export { evaluateDataset, type DatasetEvaluation, type EvaluateDatasetOptions } from './evaluate-dataset.js';
export { evaluateRuns, type EvaluateRunsOptions, type RunSearch, type RunSearchResult } from './evaluate-runs.js';
export { aggregateRun, type QueryOutcome, type QueryRun, type RunResult } from './aggregate-run.js';
export { compareRuns, type QueryDelta, type RunComparison } from './compare-runs.js';
export { groupRuns, UNTAGGED, type GroupResult } from './groups.js';
export {
  recommendReranking,
  type RecommendOptions,
  type RerankRecommendation,
  type Verdict,
  type VerdictReason,
} from './recommend-reranking.js';
export { pairSignificance, type ComparisonKind, type PairSignificance, type RunPair } from './significance.js';
// Datasets: BEIR folders and labelled question files.
export { loadBeirDataset, type LoadBeirOptions } from './datasets/load-beir-dataset.js';
export {
  loadLabelledQueries,
  type LabelledDataset,
  type LabelledQuery,
  type LoadLabelledOptions,
} from './datasets/load-labelled-queries.js';
export { readQrels } from './datasets/read-qrels.js';
// Metrics, one query at a time.
export { evaluateQuery, type MetricValues } from './metrics/evaluate-query.js';
export {
  DEFAULT_CUTOFFS,
  metricKey,
  parseCutoffs,
  type MeasureName,
  type MetricOptions,
} from './metrics/metric-keys.js';
export { hitAtK } from './metrics/hit-at-k.js';
export { ndcgAtK } from './metrics/ndcg-at-k.js';
export { precisionAtK } from './metrics/precision-at-k.js';
export { recallAtK } from './metrics/recall-at-k.js';
export { reciprocalRankAtK } from './metrics/reciprocal-rank-at-k.js';
export { latencyStats, type LatencyStats } from './metrics/latency-stats.js';
// Paired statistics, seeded.
export { bootstrapInterval, type BootstrapOptions } from './stats/bootstrap-interval.js';
export {
  pairedRandomization,
  type RandomizationOptions,
  type RandomizationResult,
} from './stats/paired-randomization.js';
// Reports.
export {
  buildEvalReport,
  type BuildReportOptions,
  type EvalReport,
  type EvalReportJson,
  type RunJson,
  type SignificanceJson,
  type StageLatencyJson,
} from './report/eval-report.js';
export { htmlReport, type HtmlReportOptions } from './report/html-report.js';
export { markdownSummary, type MarkdownSummaryOptions } from './report/markdown-summary.js';
export { writeReportFiles, type ReportFiles } from './report/write-report-files.js';
export {
  STAGE1_MODES,
  type EvalChunk,
  type EvalDataset,
  type EvalDocument,
  type EvalQuery,
  type Qrels,
  type QueryJudgements,
  type RunConfig,
  type Stage1Mode,
  type StageLatency,
} from './types.js';
