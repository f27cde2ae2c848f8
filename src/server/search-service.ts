import { SiftError } from '../errors.js';
import type { Reranker } from '../reranking/reranker.js';
import { composeTwoStage } from '../pipeline/two-stage.js';
import type { ComparisonResult, RerankingRetriever, RetrievalResult } from '../retrieval/reranking-retriever.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { DenseIndexStats } from '../stores/memory-index/flat-dense-index.js';

/** One `/v1/search` request, after validation. */
export interface SearchRequest {
  query: string;
  /** Stage-1 retriever name; default: the service's default mode. */
  mode?: string | undefined;
  /** Candidates judged by the cross-encoder (default: the pipeline's, see `composeTwoStage`). */
  candidates?: number | undefined;
  /** Results kept, at most `candidates` (default: the pipeline's). */
  topK?: number | undefined;
  /** Drop re-ranked results below this relevance (0..1). */
  minScore?: number | undefined;
}

/**
 * What `/v1/search` needs: two-stage search and the side-by-side comparison over named stage-1
 * retrievers. The server takes it as a dependency, so it runs over any store (or, in tests, a fixed
 * list of chunks).
 */
export interface SearchService {
  /** Stage-1 modes on offer, e.g. `['hybrid', 'dense', 'bm25']`. */
  readonly modes: readonly string[];
  readonly defaultMode: string;
  search(request: SearchRequest): Promise<RetrievalResult>;
  compare(request: SearchRequest): Promise<ComparisonResult>;
  /** Size of the store's in-memory dense index, for `/health` (undefined while it is loading, or without one). */
  denseIndex?(): DenseIndexStats | undefined;
}

export interface SearchServiceOptions {
  /** Stage-1 retrievers by mode; the first is the default unless `defaultMode` says otherwise. */
  retrievers: Readonly<Record<string, Retriever>>;
  /** The judge (the server passes its batched reranker, so searches share inference batches). */
  reranker: Reranker;
  defaultMode?: string;
  /** Reports the store's in-memory dense index size (see `VectorStore.denseIndexStats`). */
  denseIndex?: () => DenseIndexStats | undefined;
  /** The judge reads heading path + chunk (`--heading-context judge`). Default false. */
  judgeHeadingPath?: boolean;
}

/**
 * Search over named stage-1 retrievers with one judge: each request composes its two-stage
 * retriever with `composeTwoStage` (the pipeline's defaults and rules) and its own candidates, topK
 * and minScore (cheap: it holds only references).
 *
 * @example
 * const search = createSearchService({ retrievers: { bm25: new Bm25Retriever(store) }, reranker });
 * (await search.compare({ query: 'population of Berlin', topK: 3 })).reranked[0].rerankScore // 0.99
 */
export function createSearchService(options: SearchServiceOptions): SearchService {
  const modes = Object.keys(options.retrievers);
  const defaultMode = options.defaultMode ?? modes[0];
  if (defaultMode === undefined || !modes.includes(defaultMode)) {
    throw new SiftError(
      'INVALID_OPTION',
      `the default search mode must be one of the retrievers given (${modes.join(', ') || 'none'}), got ${String(defaultMode)}`,
    );
  }
  const twoStage = (request: SearchRequest): RerankingRetriever => {
    const mode = request.mode ?? defaultMode;
    const retriever = options.retrievers[mode];
    if (!retriever) {
      throw new SiftError(
        'INVALID_INPUT',
        `mode must be one of ${modes.join(', ')} (the retrievers this server has), got "${mode}"`,
        { details: { field: 'mode' } },
      );
    }
    return composeTwoStage({
      retriever,
      reranker: options.reranker,
      candidates: request.candidates,
      topK: request.topK,
      minScore: request.minScore,
      judgeHeadingPath: options.judgeHeadingPath,
    });
  };
  return {
    modes,
    defaultMode,
    search: (request) => twoStage(request).retrieve(request.query),
    compare: (request) => twoStage(request).compare(request.query),
    ...(options.denseIndex ? { denseIndex: options.denseIndex } : {}),
  };
}
