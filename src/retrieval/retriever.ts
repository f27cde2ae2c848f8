import type { ChunkFilter, StoredChunk } from '../stores/vector-store.js';

/**
 * Stage 1's contract: a query in, the `k` best candidate chunks out, best first. Implementations:
 * dense (bi-encoder vectors), BM25 (the store's full-text index) and hybrid (the fusion
 * of the two). The two-stage retriever composes one of these with a reranker.
 */

export interface RetrieveOptions {
  /** Number of candidates wanted (default 20; 20–50 is the usual input to a cross-encoder). */
  k?: number;
  /** Metadata filter applied inside the store, before ranking. */
  filter?: ChunkFilter;
  /** Dense only: exact search even when an ANN index exists. */
  exact?: boolean;
  signal?: AbortSignal;
}

/** One candidate and how each ranking that fused into it saw it. */
export interface RetrievedChunk {
  chunk: StoredChunk;
  /** 1-based position in the results. */
  rank: number;
  /** Dense: cosine similarity. BM25: the BM25 score. Hybrid: the fused score (see `fusion.ts`). Higher is better. */
  score: number;
  /** Hybrid only: the chunk's rank and score in each fused list it appeared in. */
  parts?: { retriever: string; rank: number; score: number }[];
}

export interface RetrieveResponse {
  results: RetrievedChunk[];
  /** Milliseconds per step (e.g. `embedMs`, `searchMs`) and `totalMs`. */
  timings: Record<string, number>;
}

export interface Retriever {
  /** Short name for reports and fused `parts`: `dense`, `bm25`, `hybrid` (as `CandidateRetriever.mode`). */
  readonly mode: string;
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrieveResponse>;
}

/** Default candidates per query. */
export const DEFAULT_K = 20;

/** Milliseconds rounded to 0.1, the one rounding of every reported time (reports, CLI and API JSON). */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
