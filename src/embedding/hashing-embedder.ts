import { createHash } from 'node:crypto';
import { SiftError } from '../errors.js';
import type { EmbedOptions, Embedder } from './embedder.js';

/** Options for {@link HashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Vector size (default 256). Larger means fewer hash collisions between words; sensible range 32–4096. */
  dimension?: number;
}

/**
 * A deterministic keyword "embedder" for tests and model-free runs: each lower-cased word is hashed
 * (sha256) to one of `dimension` buckets with a ±1 sign, counts are summed and the vector is
 * L2-normalised. Texts sharing words get a high cosine similarity; no model files are needed.
 * This is the feature-hashing trick (Weinberger et al., 2009), not a semantic model.
 *
 * @example
 * const e = new HashingEmbedder({ dimension: 8 });
 * e.model; // 'sift/hashing-8'
 * const [a, b] = await e.embed(['red apple', 'apple red']); // a and b are equal unit vectors
 */
export class HashingEmbedder implements Embedder {
  readonly model: string;
  readonly #dimension: number;
  readonly #buckets = new Map<string, { index: number; sign: number }>();

  constructor(options: HashingEmbedderOptions = {}) {
    const dimension = options.dimension ?? 256;
    if (!Number.isInteger(dimension) || dimension < 2) {
      throw new SiftError('INVALID_OPTION', `hashing embedder dimension must be a whole number >= 2, got ${dimension}`);
    }
    this.#dimension = dimension;
    this.model = `sift/hashing-${dimension}`;
  }

  /** Parses names like `sift/hashing-256`; returns undefined for any other name. */
  static fromName(name: string): HashingEmbedder | undefined {
    const m = /^sift\/hashing-(\d+)$/.exec(name);
    return m ? new HashingEmbedder({ dimension: Number(m[1]) }) : undefined;
  }

  async dimension(): Promise<number> {
    return this.#dimension;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const batchSize = options.batchSize ?? 32;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (options.signal?.aborted)
        throw new SiftError('ABORTED', 'embedding was aborted', { cause: options.signal.reason });
      out.push(this.#vector(texts[i] ?? ''));
      if ((i + 1) % batchSize === 0 || i === texts.length - 1) options.onProgress?.(i + 1, texts.length);
    }
    return out;
  }

  async close(): Promise<void> {}

  #vector(text: string): Float32Array {
    const v = new Float32Array(this.#dimension);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const { index, sign } = this.#bucket(word);
      v[index] = (v[index] ?? 0) + sign;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    // An empty text has no words; a fixed unit vector keeps the "unit length" promise of the contract.
    if (norm === 0) {
      v[0] = 1;
      return v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
    return v;
  }

  #bucket(word: string): { index: number; sign: number } {
    let b = this.#buckets.get(word);
    if (!b) {
      const h = createHash('sha256').update(word).digest();
      b = { index: h.readUInt32LE(0) % this.#dimension, sign: (h[4] ?? 0) & 1 ? 1 : -1 };
      if (this.#buckets.size < 100_000) this.#buckets.set(word, b);
    }
    return b;
  }
}
