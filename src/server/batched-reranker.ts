import { performance } from 'node:perf_hooks';
import { SiftError } from '../errors.js';
import {
  documentText,
  type RerankDocument,
  type Reranker,
  type RerankOptions,
  type RerankResponse,
  type RerankResult,
  type RerankTimings,
} from '../reranking/reranker.js';
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
    if (typeof query !== 'string' || query.trim().length === 0) {
      throw new SiftError('INVALID_INPUT', 'the query is empty; give the question or search text to judge documents against');
    }
    const texts = documents.map((doc, index) => {
      const text = doc !== null && typeof doc === 'object' ? doc.text : doc;
      if (typeof text !== 'string') throw new SiftError('INVALID_INPUT', `document ${index} has no text: expected a string or an object with a string "text" field`, { details: { index } });
      return documentText(doc);
    });
    const topK = options.topK ?? documents.length;
    if (!Number.isInteger(topK) || topK < 0) throw new SiftError('INVALID_OPTION', `topK must be a whole number >= 0, got ${String(options.topK)}`);
    const scored = await this.batcher.submit(
      texts.map((text) => ({ query, text })),
      options.signal,
    );
    const results: RerankResult<D>[] = documents.map((document, index) => ({
      index,
      document,
      text: texts[index]!,
      score: scored.scores[index]!,
      logit: scored.logits[index]!,
      truncated: scored.truncated[index]!,
    }));
    // As CrossEncoderReranker: order by logit (exact where sigmoid saturates), ties keep input order.
    results.sort((a, b) => b.logit - a.logit || a.index - b.index);
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
