/**
 * sift: retrieve-then-rerank search and RAG for Node.js, on local ONNX models.
 *
 * Layers (see DESIGN.md), each also importable on its own: models -> runtime -> tokenization ->
 * embedding / reranking -> loaders -> chunking -> stores -> ingest -> retrieval -> generation -> eval
 * -> server. `defaults` wires the default pipeline; `sift-rerank/langchain` holds the LangChain.js parts.
 *
 * @example
 * import { createReranker } from 'sift-rerank';
 * const judge = createReranker(); // cross-encoder/ms-marco-MiniLM-L-6-v2
 * const { results } = await judge.rerank('How many people live in Berlin?', docs, { topK: 4 });
 */
export * from './errors.js';
export {
  createEmbedder,
  createReranker,
  embedderFromName,
  DEFAULT_EMBEDDER,
  DEFAULT_RERANKER,
  NO_EMBEDDER,
} from './pipeline/defaults.js';
export * from './models/index.js';
export * from './runtime/index.js';
export * from './tokenization/index.js';
export * from './embedding/index.js';
export * from './reranking/index.js';
export * from './loaders/index.js';
export * from './chunking/index.js';
export * from './stores/index.js';
export * from './ingest/index.js';
export * from './retrieval/index.js';
export { openSearch, type OpenSearchOptions, type SearchSetup } from './pipeline/open-search.js';
export * from './generation/index.js';
export * from './eval/index.js';
export { evaluateDataset, type DatasetEvaluation, type EvaluateDatasetOptions } from './eval/evaluate-dataset.js';
export * from './server/index.js';
