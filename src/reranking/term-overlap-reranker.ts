import { performance } from 'node:perf_hooks';
import { SiftError } from '../errors.js';
import type { PairScorer, PairScores, QueryTextPair } from './pair-scorer.js';
import { checkQuery, checkRerankRequest, rankResults } from './rerank-request.js';
import type { RerankDocument, Reranker, RerankOptions, RerankResponse } from './reranker.js';
import { sigmoid } from './scores.js';

/** The name `createReranker` and every `--reranker` flag accept for {@link TermOverlapReranker}. */
export const TERM_OVERLAP_RERANKER = 'sift/term-overlap';

/**
 * A deterministic fake judge for tests and model-free runs: a passage's logit is 4 × (the share of
 * the query's distinct words it contains) − 2, so from −2 (no query word) to 2 (every one), and its
 * score the logit's sigmoid, as the cross-encoder's. Words are lower-cased letter and digit runs.
 * It needs no model files, so retrieval-plus-rerank logic can be tested without ONNX fixtures; it
 * is not a relevance model. It scores pairs itself (`PairScorer`), so it can also stand behind a
 * `BatchedReranker`.
 *
 * @example
 * const judge = new TermOverlapReranker();
 * (await judge.rerank('zebra stripes', ['a horse', 'zebra stripes explained'])).results.map((r) => [r.index, r.logit]) // [[1, 2], [0, -2]]
 */
export class TermOverlapReranker implements Reranker, PairScorer {
  readonly model = TERM_OVERLAP_RERANKER;

  async rerank<D extends RerankDocument>(
    query: string,
    documents: readonly D[],
    options: RerankOptions = {},
  ): Promise<RerankResponse<D>> {
    const started = performance.now();
    const { texts, topK } = checkRerankRequest(query, documents, options);
    const scored = await this.scoreQueryPairs(
      texts.map((text) => ({ query, text })),
      options,
    );
    return {
      results: rankResults(documents, texts, scored).slice(0, topK),
      model: this.model,
      truncatedPairs: 0,
      timings: {
        tokenizeMs: scored.timings.tokenizeMs,
        inferenceMs: scored.timings.inferenceMs,
        totalMs: performance.now() - started,
      },
    };
  }

  async scoreQueryPairs(
    pairs: readonly QueryTextPair[],
    options: Pick<RerankOptions, 'signal'> = {},
  ): Promise<PairScores> {
    const started = performance.now();
    if (options.signal?.aborted) throw new SiftError('ABORTED', 'rerank was aborted', { cause: options.signal.reason });
    const logits = new Float64Array(pairs.length);
    const scores = new Float64Array(pairs.length);
    const queries = new Map<string, Set<string>>();
    pairs.forEach((pair, i) => {
      let terms = queries.get(pair.query);
      if (!terms) {
        checkQuery(pair.query);
        terms = new Set(words(pair.query));
        queries.set(pair.query, terms);
      }
      const passage = new Set(words(pair.text));
      const shared = [...terms].filter((t) => passage.has(t)).length;
      logits[i] = terms.size === 0 ? -2 : (4 * shared) / terms.size - 2;
      scores[i] = sigmoid(logits[i] ?? -2);
    });
    const totalMs = performance.now() - started;
    return {
      logits,
      scores,
      truncated: pairs.map(() => false),
      truncatedPairs: 0,
      batches: 1,
      timings: { tokenizeMs: 0, inferenceMs: totalMs, totalMs },
    };
  }

  async close(): Promise<void> {}
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
