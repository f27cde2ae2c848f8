/**
 * `sift-rerank/langchain`: sift's judge and two-stage search as LangChain.js parts.
 * Needs `@langchain/core` 1.x.
 */
export { SiftReranker, type SiftRerankerOptions } from './sift-reranker.js';
export { SiftRetriever, type SiftDocumentMetadata, type SiftRetrieverOptions } from './sift-retriever.js';
