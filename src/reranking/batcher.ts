import { performance } from 'node:perf_hooks';
import { SiftError } from '../errors.js';
import type { PairScorer, PairScores, QueryTextPair } from './pair-scorer.js';

/** One merged batch, reported after it ran. */
export interface BatchStats {
  pairs: number;
  /** Requests with pairs in this batch. */
  requests: number;
  tokenizeMs: number;
  inferenceMs: number;
  totalMs: number;
}

export interface BatcherOptions {
  /** Scores each merged batch, whose pairs may carry different queries (the cross-encoder, or `pairScorerFor(any reranker)`). */
  scorer: Pick<PairScorer, 'scoreQueryPairs'>;
  /**
   * Most pairs in one merged batch (default 32). The scorer still splits it into length-sorted
   * inference batches of its own size; this bounds how much one scoring call holds up the queue.
   * Sensible range 8–128.
   */
  maxBatchPairs?: number;
  /**
   * How long an idle batcher waits for other requests before running a lone one, in ms (default 2).
   * Requests that arrive while a batch runs wait for it anyway and go into the next one with no extra
   * delay, as in TEI and Infinity. Sensible range 0–10; 0 still merges requests of the same tick.
   */
  maxWaitMs?: number;
  /**
   * Most pairs waiting (default 1024, a few seconds of MiniLM-L6 work on one core; bench/RESULTS.md). A request that would go
   * past it is refused with QUEUE_FULL (HTTP 429), unless the queue is empty, so a single request
   * larger than the bound still runs.
   */
  maxQueuedPairs?: number;
  /** Merge pairs of different requests into one batch (default true); false runs requests one by one, for comparison. */
  merge?: boolean;
  /** Called after each batch (metrics). */
  onBatch?: (stats: BatchStats) => void;
}

/** One request's scores, in the order of its pairs. */
export interface BatchedScores {
  logits: Float64Array;
  scores: Float64Array;
  truncated: boolean[];
  /** Time between submit and the request's first pair entering a batch. */
  queueMs: number;
  /** Time of the batches the request took part in (shared with the other requests in them). */
  tokenizeMs: number;
  inferenceMs: number;
}

interface Job {
  pairs: readonly QueryTextPair[];
  /** Next pair not yet handed to a batch. */
  next: number;
  done: number;
  logits: Float64Array;
  scores: Float64Array;
  truncated: boolean[];
  enqueuedAt: number;
  queueMs: number | undefined;
  tokenizeMs: number;
  inferenceMs: number;
  settled: boolean;
  signal: AbortSignal | undefined;
  resolve: (scores: BatchedScores) => void;
  reject: (err: unknown) => void;
}

interface Slice {
  job: Job;
  from: number;
  to: number;
}

/**
 * Dynamic batching for the judge: concurrent requests (HTTP requests, or any concurrent callers of
 * a `BatchedReranker`) are queued and their (query, text) pairs merged into shared scoring calls, so ten requests of three documents cost about one call of
 * thirty pairs instead of ten calls of three. One batch runs at a time (the runtime already uses
 * every core for one batch); while it runs, new requests queue up and form the next batch.
 *
 * @example
 * const batcher = new Batcher({ scorer: pairScorerFor(judge) });
 * const [a, b] = await Promise.all([
 *   batcher.submit([{ query: 'q1', text: 'doc' }]),
 *   batcher.submit([{ query: 'q2', text: 'doc' }, { query: 'q2', text: 'other' }]),
 * ]); // one scoring call of 3 pairs; a.scores.length 1, b.scores.length 2
 */
export class Batcher {
  readonly maxBatchPairs: number;
  readonly maxWaitMs: number;
  readonly maxQueuedPairs: number;
  readonly merge: boolean;
  private readonly scorer: Pick<PairScorer, 'scoreQueryPairs'>;
  private readonly onBatch: ((stats: BatchStats) => void) | undefined;
  private readonly queue: Job[] = [];
  private waiting = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Moving average of scoring time per pair, for Retry-After. */
  private msPerPair = 5;

  constructor(options: BatcherOptions) {
    this.scorer = options.scorer;
    this.onBatch = options.onBatch;
    this.maxBatchPairs = wholeNumber('maxBatchPairs', options.maxBatchPairs ?? 32, 1);
    this.maxWaitMs = wholeNumber('maxWaitMs', options.maxWaitMs ?? 2, 0);
    this.maxQueuedPairs = wholeNumber('maxQueuedPairs', options.maxQueuedPairs ?? 1024, 1);
    this.merge = options.merge ?? true;
  }

  /** Pairs waiting for a batch (the bounded quantity). */
  get queuedPairs(): number {
    return this.waiting;
  }

  /** Requests with pairs waiting for a batch. */
  get queuedRequests(): number {
    return this.queue.length;
  }

  /**
   * Queues a request's pairs and resolves with their scores once every pair has been scored.
   * Throws QUEUE_FULL (with `details.retryAfterSeconds`) when the queue cannot take them; rejects
   * with ABORTED when `signal` aborts before the request's pairs ran.
   */
  submit(pairs: readonly QueryTextPair[], signal?: AbortSignal): Promise<BatchedScores> {
    const n = pairs.length;
    if (n === 0) {
      return Promise.resolve({
        logits: new Float64Array(0),
        scores: new Float64Array(0),
        truncated: [],
        queueMs: 0,
        tokenizeMs: 0,
        inferenceMs: 0,
      });
    }
    if (this.waiting > 0 && this.waiting + n > this.maxQueuedPairs) {
      const retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil((this.waiting * this.msPerPair) / 1000)));
      return Promise.reject(
        new SiftError(
          'QUEUE_FULL',
          `the re-ranking queue is full (${this.waiting} pairs waiting, limit ${this.maxQueuedPairs}); retry in ${retryAfterSeconds} s`,
          {
            details: { queuedPairs: this.waiting, maxQueuedPairs: this.maxQueuedPairs, retryAfterSeconds },
          },
        ),
      );
    }
    return new Promise<BatchedScores>((resolve, reject) => {
      this.queue.push({
        pairs,
        next: 0,
        done: 0,
        logits: new Float64Array(n),
        scores: new Float64Array(n),
        truncated: new Array<boolean>(n).fill(false),
        enqueuedAt: performance.now(),
        queueMs: undefined,
        tokenizeMs: 0,
        inferenceMs: 0,
        settled: false,
        signal,
        resolve,
        reject,
      });
      this.waiting += n;
      this.schedule();
    });
  }

  /** Resolves once the queue is empty and no batch runs (graceful shutdown). */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.waiting >= this.maxBatchPairs || !this.merge) {
      this.runNext();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.runNext(), this.maxWaitMs);
    }
  }

  private runNext(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) return;
    const slices = this.take();
    if (slices.length === 0) {
      this.notifyIdle();
      return;
    }
    this.running = true;
    void this.run(slices).finally(() => {
      this.running = false;
      // Requests that queued while this batch ran have waited already: run them now.
      if (this.queue.length > 0) this.runNext();
      else this.notifyIdle();
    });
  }

  /** Takes up to `maxBatchPairs` pairs from the head of the queue, dropping aborted requests. */
  private take(): Slice[] {
    const slices: Slice[] = [];
    let room = this.maxBatchPairs;
    while (this.queue.length > 0 && room > 0) {
      const job = this.queue[0]!;
      if (job.signal?.aborted) {
        this.fail(
          job,
          new SiftError('ABORTED', 'the request was cancelled before it was scored', { cause: job.signal.reason }),
        );
        continue;
      }
      const take = Math.min(room, job.pairs.length - job.next);
      slices.push({ job, from: job.next, to: job.next + take });
      job.queueMs ??= performance.now() - job.enqueuedAt;
      job.next += take;
      this.waiting -= take;
      room -= take;
      if (job.next === job.pairs.length) this.queue.shift();
      if (!this.merge) break;
    }
    return slices;
  }

  private async run(slices: Slice[]): Promise<void> {
    const started = performance.now();
    const pairs = slices.flatMap((s) => s.job.pairs.slice(s.from, s.to));
    try {
      const result = await this.scorer.scoreQueryPairs(pairs);
      this.report(slices, pairs.length, result, started);
    } catch (err) {
      if (slices.length === 1) {
        this.fail(slices[0]!.job, err);
        return;
      }
      // One request's bad input (a query too long for the model) must not fail its batch neighbours:
      // score each request's share alone, so only the culprit gets the error.
      for (const slice of slices) await this.run([slice]);
    }
  }

  private report(slices: Slice[], pairs: number, result: PairScores, started: number): void {
    const totalMs = performance.now() - started;
    this.msPerPair = 0.8 * this.msPerPair + 0.2 * (totalMs / pairs);
    let offset = 0;
    for (const { job, from, to } of slices) {
      job.logits.set(result.logits.subarray(offset, offset + to - from), from);
      job.scores.set(result.scores.subarray(offset, offset + to - from), from);
      for (let i = from; i < to; i++) job.truncated[i] = result.truncated[offset + i - from]!;
      offset += to - from;
      job.tokenizeMs += result.timings.tokenizeMs;
      job.inferenceMs += result.timings.inferenceMs;
      job.done += to - from;
      if (job.done === job.pairs.length && !job.settled) {
        job.settled = true;
        job.resolve({
          logits: job.logits,
          scores: job.scores,
          truncated: job.truncated,
          queueMs: job.queueMs ?? 0,
          tokenizeMs: job.tokenizeMs,
          inferenceMs: job.inferenceMs,
        });
      }
    }
    this.onBatch?.({
      pairs,
      requests: new Set(slices.map((s) => s.job)).size,
      tokenizeMs: result.timings.tokenizeMs,
      inferenceMs: result.timings.inferenceMs,
      totalMs,
    });
  }

  /** Rejects a request and drops its pairs still waiting. */
  private fail(job: Job, err: unknown): void {
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.waiting -= job.pairs.length - job.next;
      job.next = job.pairs.length;
    }
    if (job.settled) return;
    job.settled = true;
    job.reject(err);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function wholeNumber(name: string, n: number, min: number): number {
  if (!Number.isInteger(n) || n < min) {
    throw new SiftError('INVALID_OPTION', `\`${name}\` must be a whole number >= ${min}, got ${String(n)}`, {
      details: { option: name },
    });
  }
  return n;
}
