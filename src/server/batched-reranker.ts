import { performance } from 'node:perf_hooks';
import type { RerankDocument, Reranker, RerankOptions, RerankResponse, RerankTimings } from '../reranking/reranker.js';
import { checkRerankRequest, rankResults } from '../reranking/rerank-request.js';
import { bestWindows, longDocumentsMode, type WindowHit } from '../reranking/long-documents.js';
import { SiftError } from '../errors.js';
import type { Batcher, BatchedScores } from './batcher.js';
import type { PairJudge } from './pair-judge.js';

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
  /**
   * @param planner the judge's window planning, for `longDocuments: 'window'` (the local
   *   cross-encoder has it; without it window requests are refused with INVALID_OPTION)
   */
  constructor(
    readonly model: string,
    private readonly batcher: Batcher,
    private readonly planner?: Pick<PairJudge, 'planWindows'>,
  ) {}

  async rerank<D extends RerankDocument>(query: string, documents: readonly D[], options: RerankOptions = {}): Promise<BatchedRerankResponse<D>> {
    const started = performance.now();
    const { texts, topK } = checkRerankRequest(query, documents, options);
    const scored =
      longDocumentsMode(options.longDocuments) === 'window' && texts.length > 0
        ? await this.scoreWindows(query, texts, options)
        : await this.batcher.submit(
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

  /**
   * Window mode: the documents are split before queueing, and every window is one pair in the
   * batcher, so windows count toward the queue bound and the merged batch size like documents do.
   * A request with more windows than the whole queue holds is refused (400) rather than admitted
   * alone to hold the judge for the length of the queue.
   */
  private async scoreWindows(query: string, texts: readonly string[], options: RerankOptions): Promise<BatchedScores & { windows: WindowHit[] }> {
    if (!this.planner?.planWindows) {
      throw new SiftError('INVALID_OPTION', `long-document windows need a local cross-encoder; this server's judge (${this.model}) reads documents as they are sent`);
    }
    const plans = await this.planner.planWindows(query, texts, options);
    const pairs = plans.flatMap((plan, d) => plan.windows.map((w) => ({ query, text: texts[d]!, passageIds: w.ids })));
    if (pairs.length > this.batcher.maxQueuedPairs) {
      throw new SiftError(
        'INVALID_INPUT',
        `the documents need ${pairs.length} windows, more than the ${this.batcher.maxQueuedPairs} (query, window) pairs the server queues (--max-queue); send fewer or shorter documents, or a smaller max_tokens_per_doc`,
        { details: { field: 'documents', windows: pairs.length, maxQueuedPairs: this.batcher.maxQueuedPairs } },
      );
    }
    const scored = await this.batcher.submit(pairs, options.signal);
    const best = bestWindows(plans, scored.logits, scored.scores);
    return { ...scored, ...best };
  }

  /** The judge's sessions belong to whoever created it; this only stops using them. */
  async close(): Promise<void> {}
}
