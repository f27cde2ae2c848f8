import { createHash } from 'node:crypto';

/** A cached judgement of one (query, passage) pair. */
export interface CachedScore {
  logit: number;
  score: number;
  truncated: boolean;
}

export interface ScoreCacheOptions {
  /**
   * Most pairs kept (default 10,000, about 2 MB); the least recently used go first. A pair costs
   * milliseconds of CPU to judge (bench/RESULTS.md) and ~200 bytes to remember, so a large cache is
   * cheap; range 100–1,000,000.
   */
  maxEntries?: number;
}

/** Default {@link ScoreCacheOptions.maxEntries}. */
export const DEFAULT_SCORE_CACHE_ENTRIES = 10_000;

/**
 * A least-recently-used cache of cross-encoder judgements keyed by (model, query, passage hash).
 * Scores of a pair do not depend on its batch neighbours (attention masks; equal to 1e-5), so a
 * cached score is the score the model would give again. Useful where the same questions come back
 * over the same chunks: a server's repeated queries, paging, `compare` runs, evaluation re-runs.
 * Opt-in: pass one as `scoreCache` to `CrossEncoderReranker` (several rerankers may share one;
 * keys include the model, its dtype and the maximum length).
 *
 * @example
 * const cache = new ScoreCache({ maxEntries: 50_000 });
 * const judge = new CrossEncoderReranker({ model: 'cross-encoder/ms-marco-MiniLM-L-6-v2', scoreCache: cache });
 * await judge.rerank(q, chunks); // judged by the model
 * await judge.rerank(q, chunks); // from the cache: no inference
 * cache.stats() // { entries: 20, hits: 20, misses: 20 }
 */
export class ScoreCache {
  readonly maxEntries: number;
  // A Map iterates in insertion order; re-inserting on a hit moves the entry to the back, so the
  // first key is always the least recently used.
  private readonly entries = new Map<string, CachedScore>();
  private hits = 0;
  private misses = 0;

  constructor(options: ScoreCacheOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_SCORE_CACHE_ENTRIES;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`ScoreCache: maxEntries must be a whole number >= 1, got ${String(max)}`);
    this.maxEntries = max;
  }

  /**
   * The key of one pair: the model's identity (folder, dtype, max length), then a SHA-1 of the query
   * and passage, so long passages cost 28 characters of key, not their length.
   *
   * @example
   * ScoreCache.key('ms-marco-MiniLM-L-6-v2/fp32/512', 'q', 'passage') // 'ms-marco-MiniLM-L-6-v2/fp32/512\u0000Lz3...='
   */
  static key(model: string, query: string, passage: string): string {
    const digest = createHash('sha1').update(query).update('\u0000').update(passage).digest('base64');
    return `${model}\u0000${digest}`;
  }

  get(key: string): CachedScore | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: CachedScore): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries held, and lookups answered and missed since creation or `clear()`. */
  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}
