import type { CandidateRetriever } from './reranking-retriever.js';
import type { RetrieveOptions, Retriever } from './retriever.js';

/**
 * Adapts a stage-1 {@link Retriever} to the `CandidateRetriever` shape the two-stage
 * `RerankingRetriever` takes, with fixed options (filter, exact) for every query.
 *
 * @example
 * new RerankingRetriever({ retriever: toCandidateRetriever(new Bm25Retriever(store)), reranker });
 */
export function toCandidateRetriever(retriever: Retriever, options: Omit<RetrieveOptions, 'k'> = {}): CandidateRetriever {
  return {
    mode: retriever.mode,
    retrieve: async (query, k) => (await retriever.retrieve(query, { ...options, k })).results.map(({ chunk, score }) => ({ chunk, score })),
  };
}
