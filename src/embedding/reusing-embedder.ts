import type { ModelDtype } from '../models/model-spec.js';
import type { EmbedOptions, Embedder } from './embedder.js';

/**
 * An embedder that first looks passages up among vectors already computed (by text), and embeds
 * only the others. For building a second store whose passages are mostly those of a first one
 * (`sift eval --reuse-vectors STORE`: a heading-context variant changes only the chunks that do not
 * already begin with their title). The known vectors must come from the same model and weights;
 * queries are always embedded.
 */
export class ReusingEmbedder implements Embedder {
  readonly model: string;
  readonly dtype: ModelDtype | undefined;
  readonly int8Recipe: string | undefined;
  readonly #inner: Embedder;
  readonly #known: ReadonlyMap<string, Float32Array>;
  /** Passages served from the known vectors and embedded, for reports. */
  reused = 0;
  embedded = 0;

  constructor(inner: Embedder, known: ReadonlyMap<string, Float32Array>) {
    this.#inner = inner;
    this.model = inner.model;
    this.dtype = inner.dtype;
    this.int8Recipe = inner.int8Recipe;
    this.#known = known;
  }

  dimension(): Promise<number> {
    return this.#inner.dimension();
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    if ((options.kind ?? 'passage') !== 'passage') return this.#inner.embed(texts, options);
    const out: (Float32Array | undefined)[] = texts.map((t) => this.#known.get(t));
    const missing = texts.flatMap((_, i) => (out[i] === undefined ? [i] : []));
    this.reused += texts.length - missing.length;
    this.embedded += missing.length;
    if (missing.length > 0) {
      const fresh = await this.#inner.embed(
        missing.map((i) => texts[i]!),
        options,
      );
      missing.forEach((i, j) => (out[i] = fresh[j]));
    }
    return out as Float32Array[];
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
