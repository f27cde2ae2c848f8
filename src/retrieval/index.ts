export type { RetrievedChunk, RetrieveOptions, RetrieveResponse, Retriever } from './retriever.js';
export { DEFAULT_K } from './retriever.js';
export { Bm25Retriever } from './bm25-retriever.js';
export { DenseRetriever } from './dense-retriever.js';
export { HybridRetriever, type HybridOptions } from './hybrid-retriever.js';
export { reciprocalRankFusion, RRF_K } from './reciprocal-rank-fusion.js';
export { DEFAULT_FUSION, FUSION_METHODS, fuse, type FusionMethod, type FusionOptions } from './fusion.js';
export {
  RerankingRetriever,
  type RerankingRetrieverOptions,
  type RetrievalHit,
  type RetrievalResult,
  type ComparisonResult,
} from './reranking-retriever.js';
export { STAGE1_MODES, isStage1Mode, type Stage1Mode } from './stage1-mode.js';
