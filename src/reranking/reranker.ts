import type { LongDocuments, WindowHit } from './long-documents.js';

/**
 * The judge's contract: stage 2 of retrieve-then-rerank. Implementations: the local ONNX
 * cross-encoder (`cross-encoder.ts`) and remote `/rerank` endpoints.
 */

/** A document to re-rank: a string, or an object with `text` and any metadata, kept as is. */
export type RerankDocument = string | { readonly text: string; readonly [key: string]: unknown };

export interface RerankOptions {
  /** Keep only the best `topK` results (default: all). */
  topK?: number;
  /**
   * Pairs per inference batch (ONNX judge: 4; 1 for q8 files, whose per-batch activation ranges would make scores depend on batch neighbours). Larger batches amortise per-call overhead; pairs are
   * sorted by length first so padding stays small. Sensible range 1–64.
   */
  batchSize?: number;
  /**
   * Maximum tokens per (query, passage) pair, special tokens included (default: the model's, 512
   * for MiniLM cross-encoders). Longer pairs lose passage tokens, never query tokens.
   */
  maxLength?: number;
  /** Cancels the work between batches. */
  signal?: AbortSignal;
  /**
   * Documents longer than the pair's passage budget: `truncate` (default) reads their first tokens,
   * `window` reads them whole in overlapping windows and keeps the best window's score
   * (see `long-documents.ts`). Local cross-encoders only.
   */
  longDocuments?: LongDocuments;
  /** `window` mode: tokens consecutive windows share (default 64; at most half a window). */
  windowOverlap?: number;
  /**
   * `window` mode: most windows per document (default 16). A longer document is refused with
   * INVALID_INPUT naming it, unless `maxDocumentTokens` keeps the part read within the limit.
   */
  maxWindows?: number;
  /** `window` mode: read at most this many tokens of each document (Cohere's `max_tokens_per_doc`); the rest is cut. */
  maxDocumentTokens?: number;
}

/** One re-ranked document. */
export interface RerankResult<D extends RerankDocument = RerankDocument> {
  /** Position of the document in the input array. */
  index: number;
  /** The input document, the same object (never copied or mutated). */
  document: D;
  /** The document's text. */
  text: string;
  /** Relevance in 0..1: sigmoid of the logit (one-logit heads) or the positive-class probability. */
  score: number;
  /** The raw model output for the pair (for two-logit heads: positive minus negative logit). */
  logit: number;
  /** True when the passage was cut to fit `maxLength` (in `window` mode: past `maxDocumentTokens`). */
  truncated: boolean;
  /** `window` mode: the window that gave the score (token and character offsets) and how many were read. */
  window?: WindowHit;
}

/** Wall-clock milliseconds spent per step of one rerank call. */
export interface RerankTimings {
  tokenizeMs: number;
  inferenceMs: number;
  totalMs: number;
}

export interface RerankResponse<D extends RerankDocument = RerankDocument> {
  /** Sorted by descending score; ties keep input order. */
  results: RerankResult<D>[];
  /** The model that produced the scores. */
  model: string;
  /** How many pairs had their passage truncated. */
  truncatedPairs: number;
  timings: RerankTimings;
}

export interface Reranker {
  /** Canonical model name (or endpoint description for remote judges). */
  readonly model: string;
  /**
   * Scores every (query, document) pair and returns the documents sorted by relevance.
   * Empty input returns no results without loading a model.
   */
  rerank<D extends RerankDocument>(
    query: string,
    documents: readonly D[],
    options?: RerankOptions,
  ): Promise<RerankResponse<D>>;
  /**
   * Opens the judge's model ahead of the first `rerank`, so that a missing model fails before any
   * work and the first query's latency is the judge's alone. Optional: judges with nothing to open
   * (remote endpoints) leave it out, and `rerank` opens the model itself when it was not called.
   */
  load?(): Promise<unknown>;
  /** Releases model sessions or connections. */
  close(): Promise<void>;
}

/** The text of a document, whether a string or an object with `text`. */
export function documentText(doc: RerankDocument): string {
  return typeof doc === 'string' ? doc : doc.text;
}
