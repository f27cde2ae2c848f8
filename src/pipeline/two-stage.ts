import { performance } from 'node:perf_hooks';
import type { Reranker } from '../reranking/reranker.js';
import { RerankingRetriever } from '../retrieval/reranking-retriever.js';
import type { Retriever } from '../retrieval/retriever.js';
import { DEFAULT_CANDIDATES, DEFAULT_TOP_K } from './defaults.js';

/** The sizes and threshold of one two-stage search; every field may be left to the default. */
export interface TwoStageSizes {
  /**
   * Candidates stage 1 fetches and the judge re-scores (default {@link DEFAULT_CANDIDATES}, or
   * `topK` when that is larger). 20–50 is the usual range; judge time grows linearly with it.
   */
  candidates?: number | undefined;
  /** Results kept after re-ranking (default {@link DEFAULT_TOP_K}, at most `candidates`); must not exceed `candidates`. */
  topK?: number | undefined;
  /** Drop re-ranked results scoring below this relevance (0..1; default none). */
  minScore?: number | undefined;
}

export interface ComposeTwoStageOptions extends TwoStageSizes {
  /** Stage 1. */
  retriever: Retriever;
  /** Stage 2; omit for stage-1 results only. */
  reranker?: Reranker | undefined;
  /** The judge reads heading path + chunk (`headingContext` holds `judge`). Default false. */
  judgeHeadingPath?: boolean | undefined;
}

/**
 * The two-stage sizes with the defaults applied: `candidates` defaults to 20 (or `topK` when that is
 * larger) and `topK` to 4 (or `candidates` when that is smaller). The rules (whole numbers >= 1,
 * `topK` <= `candidates`, `minScore` in 0..1) are `RerankingRetriever`'s, which names the option at fault.
 *
 * @example
 * twoStageSizes({ topK: 30 }) // { candidates: 30, topK: 30, minScore: undefined }
 * twoStageSizes({ candidates: 2 }) // { candidates: 2, topK: 2, minScore: undefined }
 */
export function twoStageSizes(sizes: TwoStageSizes = {}): {
  candidates: number;
  topK: number;
  minScore: number | undefined;
} {
  const candidates = sizes.candidates ?? Math.max(DEFAULT_CANDIDATES, sizes.topK ?? 0);
  const topK = sizes.topK ?? Math.min(DEFAULT_TOP_K, candidates);
  return { candidates, topK, minScore: sizes.minScore };
}

/**
 * Builds the two-stage retriever with the pipeline's defaults and rules: the one place every surface
 * (CLI `query`/`ask`, the server, MCP, eval) gets its `RerankingRetriever` from. Cheap: it holds
 * only references, so a server composes one per request.
 *
 * @example
 * const twoStage = composeTwoStage({ retriever: new Bm25Retriever(store), reranker: judge, topK: 3 });
 * (await twoStage.retrieve('population of Berlin')).hits.length // <= 3, judged from 20 candidates
 */
export function composeTwoStage(options: ComposeTwoStageOptions): RerankingRetriever {
  return new RerankingRetriever({
    retriever: options.retriever,
    reranker: options.reranker,
    ...twoStageSizes(options),
    judgeHeadingPath: options.judgeHeadingPath ?? false,
  });
}

/**
 * Opens the judge's model before the first query (`Reranker.load`; judges without one, such as
 * remote endpoints, have nothing to open) and resolves with the milliseconds it took, which every
 * surface reports as `loadMs` apart from the query's own timings.
 *
 * @example
 * const loadMs = await loadJudge(createReranker()); // 180.4 (reads and opens the ONNX file)
 */
export async function loadJudge(reranker: Reranker | undefined): Promise<number> {
  const started = performance.now();
  await reranker?.load?.();
  return performance.now() - started;
}
