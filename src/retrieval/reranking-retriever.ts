import { performance } from 'node:perf_hooks';
import { SiftError } from '../errors.js';
import type { Reranker } from '../reranking/reranker.js';
import type { StoredChunk } from '../stores/vector-store.js';
import { contextualText } from '../chunking/heading-context.js';
import { headingPathOf } from '../stores/store-rows.js';
import type { RetrieveOptions, Retriever } from './retriever.js';

export interface RerankingRetrieverOptions {
  /** Stage 1 (dense, BM25, hybrid, or any other `Retriever`). */
  retriever: Retriever;
  /** Stage-1 options applied to every query (metadata filter, exact dense search). */
  retrieveOptions?: Omit<RetrieveOptions, 'k' | 'signal'>;
  /** Stage 2; omit for stage-1 results only (`--no-rerank`). */
  reranker?: Reranker | undefined;
  /**
   * Candidates fetched by stage 1 and judged by stage 2 (the pipeline's default is 20,
   * `DEFAULT_CANDIDATES`). More candidates raise recall at a linear cost in judge time; 20–50 is the
   * usual range.
   */
  candidates: number;
  /** Results kept after re-ranking, at most `candidates` (the pipeline's default is 4, `DEFAULT_TOP_K`). */
  topK: number;
  /** Drop re-ranked results scoring below this relevance (0..1; default none). */
  minScore?: number | undefined;
  /**
   * The judge reads each candidate as heading path + chunk (`--heading-context judge`); results
   * still carry the chunk's own text. Default false.
   */
  judgeHeadingPath?: boolean | undefined;
}

/** One result of a two-stage search. */
export interface RetrievalHit {
  chunk: StoredChunk;
  /** 1-based rank in the final list. */
  rank: number;
  /** Stage-1 score (cosine, BM25 or fused RRF score) and 1-based stage-1 rank. */
  retrievalScore: number;
  retrievalRank: number;
  /** Stage-2 relevance in 0..1 and raw logit; absent without a reranker. */
  rerankScore?: number;
  logit?: number;
}

export interface RetrievalResult {
  query: string;
  hits: RetrievalHit[];
  /** Candidates stage 1 returned (may be fewer than asked). */
  candidates: number;
  stage1: string;
  reranker: string | null;
  /** Milliseconds: stage 1 (`retrieveMs`, with its own steps in `stage1`), stage 2 and in all. */
  timings: { retrieveMs: number; rerankMs: number; totalMs: number; stage1?: Record<string, number> };
}

/** Stage-1 top-k beside re-ranked top-k for the same candidates. */
export interface ComparisonResult {
  query: string;
  /** Stage-1 top-k (what search without re-ranking shows; the name is the documented JSON field's, for any stage-1 mode). */
  semantic: RetrievalHit[];
  /** Re-ranked top-k. */
  reranked: RetrievalHit[];
  /** How many of the re-ranked top-k were not in the stage-1 top-k. */
  changed: number;
  timings: RetrievalResult['timings'];
}

/**
 * Retrieve broadly, re-rank precisely: stage 1 fetches `candidates` chunks, the judge re-scores
 * each (query, chunk) pair, and the best `topK` are kept. Composition, not inheritance: any stage-1
 * retriever and any reranker combine.
 *
 * @example
 * const rr = new RerankingRetriever({ retriever: dense, reranker: judge, candidates: 20, topK: 4 });
 * const { hits } = await rr.retrieve('How many people live in Berlin?');
 * hits[0].rerankScore // 0.9998
 */
export class RerankingRetriever {
  readonly candidates: number;
  readonly topK: number;
  readonly minScore: number | undefined;
  private readonly retriever: Retriever;
  private readonly retrieveOptions: Omit<RetrieveOptions, 'k' | 'signal'>;
  private readonly reranker: Reranker | undefined;
  private readonly judgeHeadingPath: boolean;

  constructor(options: RerankingRetrieverOptions) {
    this.judgeHeadingPath = options.judgeHeadingPath ?? false;
    this.retriever = options.retriever;
    this.reranker = options.reranker;
    this.retrieveOptions = options.retrieveOptions ?? {};
    this.candidates = positiveInt('candidates', options.candidates);
    this.topK = positiveInt('topK', options.topK);
    if (this.topK > this.candidates) {
      throw new SiftError(
        'INVALID_OPTION',
        `\`topK\` must be at most \`candidates\` (${this.candidates}): the judge keeps the best of the candidates, got ${this.topK}`,
        {
          details: { option: 'topK' },
        },
      );
    }
    if (options.minScore !== undefined && !(options.minScore >= 0 && options.minScore <= 1)) {
      throw new SiftError(
        'INVALID_OPTION',
        `\`minScore\` must be a number from 0 to 1, got ${String(options.minScore)}`,
        { details: { option: 'minScore' } },
      );
    }
    this.minScore = options.minScore;
  }

  /** Two-stage search (or stage 1 only when there is no reranker). */
  async retrieve(query: string): Promise<RetrievalResult> {
    const { pool, retrieveMs, stage1, started } = await this.stage1(query);
    let hits: RetrievalHit[];
    let rerankMs = 0;
    if (this.reranker && pool.length > 0) {
      const t = performance.now();
      const judged = await this.judge(query, pool);
      rerankMs = performance.now() - t;
      hits = judged.filter((h) => this.minScore === undefined || h.rerankScore! >= this.minScore).slice(0, this.topK);
    } else {
      hits = pool.slice(0, this.topK);
    }
    hits.forEach((h, i) => (h.rank = i + 1));
    return {
      query,
      hits,
      candidates: pool.length,
      stage1: this.retriever.mode,
      reranker: this.reranker?.model ?? null,
      timings: { retrieveMs, rerankMs, totalMs: performance.now() - started, stage1 },
    };
  }

  /** Stage-1 top-k and re-ranked top-k from one candidate pool, and how many results changed. */
  async compare(query: string): Promise<ComparisonResult> {
    if (!this.reranker)
      throw new SiftError(
        'INVALID_OPTION',
        'compare needs a reranker: it shows stage-1 results beside re-ranked ones',
        { details: { option: 'reranker' } },
      );
    const { pool, retrieveMs, started } = await this.stage1(query);
    const t = performance.now();
    const judged = pool.length > 0 ? await this.judge(query, pool) : [];
    const rerankMs = performance.now() - t;
    const semantic = pool.slice(0, this.topK).map((h, i) => ({ ...h, rank: i + 1 }));
    const reranked = judged
      .filter((h) => this.minScore === undefined || h.rerankScore! >= this.minScore)
      .slice(0, this.topK)
      .map((h, i) => ({ ...h, rank: i + 1 }));
    // Stage-1 hits also carry their judge score, so both columns can be read on one scale.
    const scoreById = new Map(judged.map((h) => [h.chunk.id, h]));
    for (const h of semantic) {
      const j = scoreById.get(h.chunk.id);
      if (j) Object.assign(h, { rerankScore: j.rerankScore, logit: j.logit });
    }
    const before = new Set(semantic.map((h) => h.chunk.id));
    return {
      query,
      semantic,
      reranked,
      changed: reranked.filter((h) => !before.has(h.chunk.id)).length,
      timings: { retrieveMs, rerankMs, totalMs: performance.now() - started },
    };
  }

  private async stage1(
    query: string,
  ): Promise<{ pool: RetrievalHit[]; retrieveMs: number; stage1: Record<string, number>; started: number }> {
    if (typeof query !== 'string' || query.trim() === '') {
      throw new SiftError('INVALID_INPUT', 'the query is empty; give the question or search text');
    }
    const started = performance.now();
    const found = await this.retriever.retrieve(query, { ...this.retrieveOptions, k: this.candidates });
    const pool = found.results.map((r, i) => ({
      chunk: r.chunk,
      rank: i + 1,
      retrievalScore: r.score,
      retrievalRank: i + 1,
    }));
    return { pool, retrieveMs: performance.now() - started, stage1: found.timings, started };
  }

  private async judge(query: string, pool: RetrievalHit[]): Promise<RetrievalHit[]> {
    const passages = this.judgeHeadingPath
      ? pool.map((h) => ({ ...h.chunk, text: contextualText(h.chunk.text, headingPathOf(h.chunk)) }))
      : pool.map((h) => h.chunk);
    const { results } = await this.reranker!.rerank(query, passages);
    return results.map((r) => ({ ...pool[r.index]!, rerankScore: r.score, logit: r.logit }));
  }
}

function positiveInt(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new SiftError('INVALID_OPTION', `\`${name}\` must be a whole number >= 1, got ${String(n)}`, {
      details: { option: name },
    });
  }
  return n;
}
