export type {
  Reranker,
  RerankDocument,
  RerankOptions,
  RerankResponse,
  RerankResult,
  RerankTimings,
} from './reranker.js';
export { documentText } from './reranker.js';
export {
  CrossEncoderReranker,
  defaultJudgeDtype,
  judgeInt8Recipe,
  DEFAULT_POOLED_RERANK_BATCH_SIZE,
  DEFAULT_QUANTIZED_RERANK_BATCH_SIZE,
  DEFAULT_RERANK_BATCH_SIZE,
  type CrossEncoderOptions,
} from './cross-encoder.js';
export { isPairScorer, pairScorerFor, type PairScorer, type PairScores, type QueryTextPair } from './pair-scorer.js';
export { Batcher, type BatcherOptions, type BatchStats, type BatchedScores } from './batcher.js';
export { BatchedReranker, type BatchedRerankResponse, type BatchedRerankTimings } from './batched-reranker.js';
export { TermOverlapReranker, TERM_OVERLAP_RERANKER } from './term-overlap-reranker.js';
export { pairScore, sigmoid } from './scores.js';
export * from './score-cache.js';
export {
  DEFAULT_MAX_WINDOWS,
  DEFAULT_WINDOW_OVERLAP,
  LONG_DOCUMENT_MODES,
  type DocumentWindows,
  type LongDocuments,
  type WindowHit,
} from './long-documents.js';
export {
  RemoteReranker,
  parseEndpoint,
  isEndpointUrl,
  type RemoteRerankerOptions,
  type EndpointSpec,
  type RerankShape,
} from './remote/index.js';
export { checkQuery, checkRerankRequest, checkedText, rankResults, sortByRelevance } from './rerank-request.js';
