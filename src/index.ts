/**
 * sift: retrieve-then-rerank search and RAG for Node.js, on local ONNX models.
 *
 * The public API, by layer (see DESIGN.md): the default pipeline and two-stage search, models, the
 * scout (embedders), the judge (rerankers, pair scoring, batching), loaders, chunking, stores,
 * ingest, stage 1, and answers. Other entries: `sift-rerank/server` (the HTTP API),
 * `sift-rerank/eval` (datasets, metrics, runs, reports) and `sift-rerank/langchain` (LangChain.js parts).
 * Everything else under `src/` is internal and may change between versions.
 *
 * @example
 * import { createReranker } from 'sift-rerank';
 * const judge = createReranker(); // cross-encoder/ms-marco-MiniLM-L-6-v2
 * const { results } = await judge.rerank('How many people live in Berlin?', docs, { topK: 4 });
 */
export { isSiftError, renameOptions, SiftError, type SiftErrorCode, type SiftErrorOptions } from './errors.js';

// The default pipeline and two-stage search.
export {
  createEmbedder,
  createReranker,
  embedderFromName,
  DEFAULT_CANDIDATES,
  DEFAULT_EMBEDDER,
  DEFAULT_RERANKER,
  DEFAULT_TOP_K,
  NO_EMBEDDER,
} from './pipeline/defaults.js';
export { openSearch, type OpenSearchOptions, type SearchSetup, type TwoStageOptions } from './pipeline/open-search.js';
export {
  composeTwoStage,
  loadJudge,
  twoStageSizes,
  type ComposeTwoStageOptions,
  type TwoStageSizes,
} from './pipeline/two-stage.js';

// Models.
export type { ModelDtype, ModelRole, ModelSpec, Pooling, ResolvedModel } from './models/model-spec.js';
export { DEFAULT_DTYPE, MODEL_DTYPES } from './models/model-files.js';
export { MODELS, defaultEmbedder, defaultReranker, findModel, listModels } from './models/registry.js';
export { resolveModel, type ResolveModelOptions } from './models/resolve-model.js';
export {
  downloadModel,
  type DownloadModelOptions,
  type DownloadProgress,
  type DownloadResult,
  type HubOptions,
} from './models/hub-download.js';
export type { ModelLoadOptions } from './runtime/load-text-model.js';
export type { SessionSettings } from './runtime/onnx-session.js';

// The scout.
export type { Embedder, EmbedKind, EmbedOptions } from './embedding/embedder.js';
export {
  OnnxEmbedder,
  DEFAULT_EMBED_BATCH_SIZE,
  defaultScoutDtype,
  type OnnxEmbedderOptions,
} from './embedding/onnx-embedder.js';
export { HashingEmbedder, type HashingEmbedderOptions } from './embedding/hashing-embedder.js';

// The judge.
export {
  documentText,
  type Reranker,
  type RerankDocument,
  type RerankOptions,
  type RerankResponse,
  type RerankResult,
  type RerankTimings,
} from './reranking/reranker.js';
export {
  CrossEncoderReranker,
  defaultJudgeDtype,
  judgeInt8Recipe,
  DEFAULT_POOLED_RERANK_BATCH_SIZE,
  DEFAULT_QUANTIZED_RERANK_BATCH_SIZE,
  DEFAULT_RERANK_BATCH_SIZE,
  type CrossEncoderOptions,
} from './reranking/cross-encoder.js';
export {
  RemoteReranker,
  type RemoteRerankerOptions,
  type RemoteScoreKind,
} from './reranking/remote/remote-reranker.js';
export { isEndpointUrl, parseEndpoint, type EndpointSpec } from './reranking/remote/remote-endpoint.js';
export type { RerankShape } from './reranking/remote/rerank-protocol.js';
export type { RetryPolicy } from './reranking/remote/fetch-with-retry.js';
export { TermOverlapReranker, TERM_OVERLAP_RERANKER } from './reranking/term-overlap-reranker.js';
export {
  isPairScorer,
  pairScorerFor,
  type PairScorer,
  type PairScores,
  type QueryTextPair,
} from './reranking/pair-scorer.js';
export { Batcher, type BatcherOptions, type BatchedScores, type BatchStats } from './reranking/batcher.js';
export {
  BatchedReranker,
  type BatchedRerankResponse,
  type BatchedRerankTimings,
} from './reranking/batched-reranker.js';
export {
  ScoreCache,
  DEFAULT_SCORE_CACHE_ENTRIES,
  type CachedScore,
  type ScoreCacheOptions,
} from './reranking/score-cache.js';
export {
  DEFAULT_MAX_WINDOWS,
  DEFAULT_WINDOW_OVERLAP,
  LONG_DOCUMENT_MODES,
  type DocumentWindows,
  type LongDocuments,
  type WindowHit,
} from './reranking/long-documents.js';

// Load, chunk.
export type { DocumentFormat, LoadedDocument, SkipReason } from './loaders/loaded-document.js';
export { DEFAULT_MAX_FILE_BYTES, loadFile, parseDocument } from './loaders/load-file.js';
export {
  chunkText,
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_CHUNK_SIZE,
  type ChunkOptions,
  type TextChunk,
} from './chunking/chunk-text.js';
export type { Heading } from './chunking/heading-path.js';
export {
  DEFAULT_HEADING_CONTEXT,
  HEADING_CONTEXT_TARGETS,
  parseHeadingContext,
  type HeadingContext,
  type HeadingContextTarget,
} from './chunking/heading-context.js';

// Stores and ingest.
export type * from './stores/vector-store.js';
export { isPostgresLocation, openStore, readStoreEmbedding } from './stores/open-store.js';
export { LanceStore, type LanceStoreTuning } from './stores/lancedb/lance-store.js';
export { openLanceStore, type OpenLanceStoreOptions } from './stores/lancedb/open-lance-store.js';
export { PostgresStore, type PostgresStoreTuning } from './stores/postgres/postgres-store.js';
export { openPostgresStore, type OpenPostgresStoreOptions } from './stores/postgres/open-postgres-store.js';
export { ingestFiles, type IngestOptions } from './ingest/ingest-files.js';
export type { IngestProgress, IngestSummary, SkippedFile } from './ingest/ingest-summary.js';
export {
  ingestDocuments,
  type DocumentInput,
  type IngestDocumentsOptions,
  type IngestDocumentsSummary,
} from './ingest/ingest-documents.js';

// Stage 1 and the two-stage retriever.
export type { RetrievedChunk, RetrieveOptions, RetrieveResponse, Retriever } from './retrieval/retriever.js';
export { DEFAULT_K } from './retrieval/retriever.js';
export { Bm25Retriever } from './retrieval/bm25-retriever.js';
export { DenseRetriever } from './retrieval/dense-retriever.js';
export { HybridRetriever, type HybridOptions } from './retrieval/hybrid-retriever.js';
export { DEFAULT_FUSION, FUSION_METHODS, fuse, type FusionMethod, type FusionOptions } from './retrieval/fusion.js';
export { reciprocalRankFusion, RRF_K } from './retrieval/reciprocal-rank-fusion.js';
export {
  RerankingRetriever,
  type ComparisonResult,
  type RerankingRetrieverOptions,
  type RetrievalHit,
  type RetrievalResult,
} from './retrieval/reranking-retriever.js';
export { STAGE1_MODES, isStage1Mode, type Stage1Mode } from './retrieval/stage1-mode.js';

// Answers.
export { answer, streamAnswer, type AnswerEvent, type AnswerOptions, type AnswerResult } from './generation/answer.js';
export {
  buildContext,
  DEFAULT_CONTEXT_MAX_CHARS,
  type BuiltContext,
  type ContextBlock,
  type ContextOptions,
} from './generation/build-context.js';
export { ChatClient, DEFAULT_LLM_TIMEOUT_MS, type ChatClientOptions } from './generation/chat-client.js';
export type { Citation } from './generation/citation.js';
export {
  extractiveAnswer,
  DEFAULT_EXTRACTIVE_MIN_SCORE,
  type ExtractedSentence,
  type ExtractiveAnswer,
  type ExtractiveOptions,
} from './generation/extractive-answer.js';
