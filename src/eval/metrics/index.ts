export { evaluateQuery, type MetricValues } from './evaluate-query.js';
export { latencyStats, percentile, type LatencyStats } from './latency-stats.js';
export {
  DEFAULT_CUTOFFS,
  headlineCutoff,
  mainMetrics,
  metricKey,
  metricLabel,
  metricSpecs,
  parseCutoffs,
  type MeasureName,
  type MetricOptions,
  type MetricSpec,
} from './metric-keys.js';
export { hitAtK } from './hit-at-k.js';
export { ndcgAtK } from './ndcg-at-k.js';
export { precisionAtK } from './precision-at-k.js';
export { rankByScore, type ScoredId } from './rank-by-score.js';
export { countRelevant, rankedGrades } from './ranked-grades.js';
export { recallAtK } from './recall-at-k.js';
export { reciprocalRankAtK } from './reciprocal-rank-at-k.js';
