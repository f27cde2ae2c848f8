/**
 * The scout's contract: turns text into L2-normalised vectors for stage-1 dense retrieval.
 * Implementation: the local ONNX bi-encoder (`onnx-embedder.ts`); tests also use a deterministic
 * keyword embedder (`hashing-embedder.ts`).
 */

import type { ModelDtype } from '../models/model-spec.js';

/** Queries and passages may be embedded differently (e5 and bge prefixes). */
export type EmbedKind = 'query' | 'passage';

export interface EmbedOptions {
  /** `query` or `passage` (default `passage`): selects the model's prefix, if any. */
  kind?: EmbedKind;
  /** Texts per inference batch (default 8 for the ONNX embedder). Sensible range 1–128. */
  batchSize?: number;
  /** Called after each batch with the number of texts done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Cancels the work between batches. */
  signal?: AbortSignal;
}

export interface Embedder {
  /** Canonical model name; recorded by stores so queries use the model the store was built with. */
  readonly model: string;
  /**
   * The weights the vectors come from (`fp32`, `q8`, `int8`; absent: fp32, as for model-free
   * embedders). Stores record it beside the model: vectors of one model in two dtypes do not mix.
   */
  readonly dtype?: ModelDtype;
  /** With `dtype` int8: sift's int8 recipe and version, e.g. `scout-s8.v3` (recorded by stores, shown, not compared). */
  readonly int8Recipe?: string | undefined;
  /** Vector size. Resolves the model's files if needed. */
  dimension(): Promise<number>;
  /** One unit-length vector per text, in input order. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Releases model sessions. */
  close(): Promise<void>;
}
