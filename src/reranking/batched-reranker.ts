import { performance } from 'node:perf_hooks';
import type { RerankDocument, Reranker, RerankOptions, RerankResponse, RerankTimings } from './reranker.js';
import { checkRerankRequest, rankResults } from './rerank-request.js';
import { bestWindows, longDocumentsMode, type WindowHit } from './long-documents.js';
import { SiftError } from '../errors.js';
import { Batcher, type BatchedScores, type BatcherOptions } from './batcher.js';
import type { PairScorer } from './pair-scorer.js';

/** Rerank timings with the time spent waiting for a batch. */
export interface BatchedRerankTimings extends RerankTimings {
  queueMs: number;
}

export interface BatchedRerankResponse<D extends RerankDocument> extends RerankResponse<D> {
  timings: BatchedRerankTimings;
}

/**
 * A `Reranker` whose pairs go through a dynamic batcher, so that concurrent `rerank` calls share
 * merged inference batches and one bounded queue: the HTTP server's `/v1/rerank`, `/rerank` and the
 * judge stage of `/v1/search` use one, and so can a library user's concurrent callers, without HTTP.
 * Batch size and maximum length are the scorer's; `topK` and `signal` apply per call. Window mode
 * (`longDocuments: 'window'`) needs a scorer that plans windows (the local cross-encoder); without
 * it window requests are refused with INVALID_OPTION.
 *
 * @example
 * const batched = new BatchedReranker(pairScorerFor(createReranker()), { maxWaitMs: 2 });
 * const answers = await Promise.all(queries.map((q) => batched.rerank(q, docs))); // pairs of all queries share batches
 */
export class BatchedReranker implements Reranker {
  readonly model: string;
  /** The queue the pairs wait in (its size and bound are what a server reports and limits). */
  readonly batcher: Batcher;
  private readonly scorer: PairScorer;

  /**
   * @param scorer the judge (`pairScorerFor(reranker)`); closing it stays the caller's job
   * @param batching a batcher of the caller's (the server's, with its metrics), or options for a new one over `scorer`
   */
  constructor(scorer: PairScorer, batching: Batcher | Omit<BatcherOptions, 'scorer'> = {}) {
    this.model = scorer.model;
    this.scorer = scorer;
    this.batcher = batching instanceof Batcher ? batching : new Batcher({ ...batching, scorer });
  }

  async rerank<D extends RerankDocument>(
    query: string,
    documents: readonly D[],
    options: RerankOptions = {},
  ): Promise<BatchedRerankResponse<D>> {
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
      timings: {
        queueMs: scored.queueMs,
        tokenizeMs: scored.tokenizeMs,
        inferenceMs: scored.inferenceMs,
        totalMs: performance.now() - started,
      },
    };
  }

  /**
   * Window mode: the documents are split before queueing, and every window is one pair in the
   * batcher, so windows count toward the queue bound and the merged batch size like documents do.
   * A request with more windows than the whole queue holds is refused (400) rather than admitted
   * alone to hold the judge for the length of the queue.
   */
  private async scoreWindows(
    query: string,
    texts: readonly string[],
    options: RerankOptions,
  ): Promise<BatchedScores & { windows: WindowHit[] }> {
    if (!this.scorer.planWindows) {
      throw new SiftError(
        'INVALID_OPTION',
        `long-document windows need a local cross-encoder; this judge (${this.model}) reads documents as they are sent`,
        {
          details: { option: 'longDocuments' },
        },
      );
    }
    const plans = await this.scorer.planWindows(query, texts, options);
    const pairs = plans.flatMap((plan, d) => plan.windows.map((w) => ({ query, text: texts[d]!, passageIds: w.ids })));
    if (pairs.length > this.batcher.maxQueuedPairs) {
      throw new SiftError(
        'INVALID_INPUT',
        `the documents need ${pairs.length} windows, more than the ${this.batcher.maxQueuedPairs} (query, window) pairs the queue holds (\`maxQueuedPairs\`); send fewer or shorter documents, or a smaller \`maxDocumentTokens\``,
        { details: { field: 'documents', windows: pairs.length, maxQueuedPairs: this.batcher.maxQueuedPairs } },
      );
    }
    const scored = await this.batcher.submit(pairs, options.signal);
    const best = bestWindows(plans, scored.logits, scored.scores);
    return { ...scored, ...best };
  }

  /** Waits for the queued pairs to be scored; the judge's sessions belong to whoever created it. */
  async close(): Promise<void> {
    await this.batcher.drain();
  }
}
