import { performance } from 'node:perf_hooks';
import type { PairScores, QueryTextPair } from '../reranking/cross-encoder.js';
import type { DocumentWindows } from '../reranking/long-documents.js';
import type { Reranker, RerankOptions } from '../reranking/reranker.js';

/** The judge as the server needs it: pairs with their own queries in, scores in input order out (`CrossEncoderReranker`). */
export interface PairJudge {
  readonly model: string;
  scoreQueryPairs(pairs: readonly QueryTextPair[]): Promise<PairScores>;
  /**
   * Splits documents into windows for `longDocuments: 'window'` (`CrossEncoderReranker.planWindows`);
   * judges without it (remote endpoints) serve truncate mode only.
   */
  planWindows?(query: string, texts: readonly string[], options: Pick<RerankOptions, 'windowOverlap' | 'maxWindows' | 'maxDocumentTokens'>): Promise<DocumentWindows[]>;
}

/**
 * Any `Reranker` as a `PairJudge`: a merged batch is split by query and each group sent as one
 * `rerank` call (concurrently). Used for judges without per-pair scoring, such as remote `/rerank`
 * endpoints, which then still receive merged requests for the same query.
 *
 * @example
 * const judge = pairJudgeFromReranker(new RemoteReranker({ url: 'http://gpu:8080/rerank#tei' }));
 * (await judge.scoreQueryPairs([{ query: 'q', text: 'a' }, { query: 'q', text: 'b' }])).scores.length // 2
 */
export function pairJudgeFromReranker(reranker: Reranker): PairJudge {
  return {
    model: reranker.model,
    async scoreQueryPairs(pairs) {
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
          const response = await reranker.rerank(query, indices.map((i) => pairs[i]!.text));
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
