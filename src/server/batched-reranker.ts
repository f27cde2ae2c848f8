import { performance } from 'node:perf_hooks';
import type { RerankDocument, Reranker, RerankOptions, RerankResponse, RerankTimings } from '../reranking/reranker.js';
import { checkRerankRequest, rankResults } from '../reranking/rerank-request.js';
import type { Batcher } from './batcher.js';

/** Rerank timings with the time spent waiting for a batch. */
export interface BatchedRerankTimings extends RerankTimings {
  queueMs: number;
}

export interface BatchedRerankResponse<D extends RerankDocument> extends RerankResponse<D> {
  timings: BatchedRerankTimings;
}

/**
 * A `Reranker` whose pairs go through the server's dynamic batcher, so that `/v1/rerank`, `/rerank`
 * and the judge stage of `/v1/search` all share merged batches and one bounded queue. Batch size and
 * maximum length are the server's; `topK` and `signal` apply per call.
 *
 * @example
 * const reranker = new BatchedReranker('cross-encoder/ms-marco-MiniLM-L-6-v2', batcher);
 * (await reranker.rerank('population of Berlin', ['Berlin has 3.5 million inhabitants.'])).results[0].score // 0.99
 */
export class BatchedReranker implements Reranker {
  constructor(
    readonly model: string,
    private readonly batcher: Batcher,
  ) {}

  async rerank<D extends RerankDocument>(query: string, documents: readonly D[], options: RerankOptions = {}): Promise<BatchedRerankResponse<D>> {
    const started = performance.now();
    const { texts, topK } = checkRerankRequest(query, documents, options);
    const scored = await this.batcher.submit(
      texts.map((text) => ({ query, text })),
      options.signal,
    );
    const results = rankResults(documents, texts, scored);
    return {
      results: results.slice(0, topK),
      model: this.model,
      truncatedPairs: scored.truncated.filter(Boolean).length,
      timings: { queueMs: scored.queueMs, tokenizeMs: scored.tokenizeMs, inferenceMs: scored.inferenceMs, totalMs: performance.now() - started },
    };
  }

  /** The judge's sessions belong to whoever created it; this only stops using them. */
  async close(): Promise<void> {}
}
