/**
 * `sift-rerank/eval`: the evaluation layer (datasets, metrics, runs, paired significance, the re-rank
 * verdict and reports). `sift eval` is a thin wrapper over `evaluateDataset`.
 *
 * @example
 * import { evaluateDataset } from 'sift-rerank/eval';
 * const { runs } = await evaluateDataset({ dataset: 'scifact', rerankers: ['cross-encoder/ms-marco-MiniLM-L-6-v2'] });
 */
export { evaluateDataset, type DatasetEvaluation, type EvaluateDatasetOptions } from './evaluate-dataset.js';
export { aggregateRun, type QueryOutcome, type QueryRun, type RunResult } from './aggregate-run.js';
export { chunksToDocuments } from './chunks-to-documents.js';
export { compareRuns, type QueryDelta, type RunComparison } from './compare-runs.js';
export * from './datasets/index.js';
export { groupRuns, UNTAGGED, type GroupResult } from './groups.js';
export { evaluateRuns, type EvaluateRunsOptions, type RunSearch, type RunSearchResult } from './evaluate-runs.js';
export * from './metrics/index.js';
export { documentJudge, type RelevanceJudge } from './relevance-judge.js';
export {
  recommendReranking,
  type RecommendOptions,
  type RerankRecommendation,
  type Verdict,
  type VerdictReason,
} from './recommend-reranking.js';
export * from './report/index.js';
export {
  pairSignificance,
  significancePairs,
  type ComparisonKind,
  type PairSignificance,
  type RunPair,
} from './significance.js';
export * from './stats/index.js';
export { baseConfigOf, expandRunConfigs, runName, type RunMatrix } from './run-config.js';
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
