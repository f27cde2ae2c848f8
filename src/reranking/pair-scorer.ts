import { performance } from 'node:perf_hooks';
import type { DocumentWindows } from './long-documents.js';
import type { Reranker, RerankOptions } from './reranker.js';

/** A (query, passage) pair; pairs of one call may carry different queries. */
export interface QueryTextPair {
  query: string;
  text: string;
  /** Passage token ids to read instead of tokenizing `text`: a window from `planWindows`. */
  passageIds?: readonly number[] | undefined;
}

/** Raw scores of one scoring call, in input order, and the time it spent per step. */
export interface PairScores {
  logits: Float64Array;
  scores: Float64Array;
  truncated: boolean[];
  truncatedPairs: number;
  /** Inference batches (or, for judges scored through `rerank`, calls) the pairs took. */
  batches: number;
  timings: { tokenizeMs: number; inferenceMs: number; totalMs: number };
}

/**
 * Pair scoring: the judge as a batcher needs it, pairs with their own queries in, scores in input
 * order out, so the pairs of concurrent requests can share one call. Implemented by the local
 * cross-encoder (one length-sorted batch run for all queries) and, for any other `Reranker`, by
 * `pairScorerFor` (one `rerank` call per query).
 */
export interface PairScorer {
  /** The judge's model name, as its `Reranker.model`. */
  readonly model: string;
  /** Scores `pairs` in input order; a pair's score does not depend on the other pairs of the call. */
  scoreQueryPairs(pairs: readonly QueryTextPair[], options?: Pick<RerankOptions, 'signal'>): Promise<PairScores>;
  /**
   * Splits documents into windows for `longDocuments: 'window'` (see `CrossEncoderReranker.planWindows`);
   * scorers without it (remote endpoints) serve truncate mode only.
   */
  planWindows?(
    query: string,
    texts: readonly string[],
    options: Pick<RerankOptions, 'windowOverlap' | 'maxWindows' | 'maxDocumentTokens'>,
  ): Promise<DocumentWindows[]>;
}

/** True when `judge` scores pairs itself (`scoreQueryPairs`), as the local cross-encoder does. */
export function isPairScorer(judge: object): judge is PairScorer {
  return (
    typeof (judge as Partial<PairScorer>).scoreQueryPairs === 'function' &&
    typeof (judge as Partial<PairScorer>).model === 'string'
  );
}

/**
 * The pair scorer of any reranker: the reranker itself when it scores pairs (the local
 * cross-encoder), else an adapter that splits a call by query and sends each group as one `rerank`
 * call (concurrently), so remote `/rerank` endpoints still receive merged requests for one query.
 *
 * @example
 * const scorer = pairScorerFor(new RemoteReranker({ url: 'http://gpu:8080/rerank#tei' }));
 * (await scorer.scoreQueryPairs([{ query: 'q', text: 'a' }, { query: 'q', text: 'b' }])).scores.length // 2
 */
export function pairScorerFor(reranker: Reranker): PairScorer {
  if (isPairScorer(reranker)) return reranker;
  return {
    model: reranker.model,
    async scoreQueryPairs(pairs, options = {}) {
      const started = performance.now();
      const groups = new Map<string, number[]>();
      pairs.forEach((p, i) => groups.set(p.query, [...(groups.get(p.query) ?? []), i]));
      const logits = new Float64Array(pairs.length);
      const scores = new Float64Array(pairs.length);
      const truncated = new Array<boolean>(pairs.length).fill(false);
      let tokenizeMs = 0;
      let inferenceMs = 0;
      await Promise.all(
        [...groups].map(async ([query, indices]) => {
          const response = await reranker.rerank(
            query,
            indices.map((i) => pairs[i]!.text),
            options.signal ? { signal: options.signal } : {},
          );
          tokenizeMs += response.timings.tokenizeMs;
          inferenceMs += response.timings.inferenceMs;
          for (const r of response.results) {
            const at = indices[r.index]!;
            logits[at] = r.logit;
            scores[at] = r.score;
            truncated[at] = r.truncated;
          }
        }),
      );
      return {
        logits,
        scores,
        truncated,
        truncatedPairs: truncated.filter(Boolean).length,
        batches: groups.size,
        timings: { tokenizeMs, inferenceMs, totalMs: performance.now() - started },
      };
    },
  };
}
