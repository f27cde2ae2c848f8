import { SiftError } from '../errors.js';
import type { ModelDtype, Pooling } from '../models/model-spec.js';
import { findModel, measuredDefaultDtype } from '../models/registry.js';
import { int8WeightsSafe } from '../runtime/int8/cpu-features.js';
import { int8RecipeTag, scoutInt8Recipe } from '../runtime/int8/int8-recipe.js';
import { lengthSortedBatches, batchTensors } from '../runtime/batching.js';
import { expectInterface, runConcurrently } from '../runtime/onnx-session.js';
import type { ModelLoadOptions, TextModel } from '../runtime/load-text-model.js';
import { LazyTextModel } from '../runtime/lazy-text-model.js';
import { encodeSingle } from '../tokenization/pair-encoder.js';
import type { Embedder, EmbedOptions } from './embedder.js';
import { normalize, poolAndNormalize } from './pooling.js';

/**
 * Default texts per inference batch. As for the judge, small length-sorted batches keep activations
 * in cache and pad less; batch 8 measured fastest against 16 and 32 (bench/RESULTS.md, embedding
 * batch size).
 */
export const DEFAULT_EMBED_BATCH_SIZE = 8;

/**
 * The scout's weights when the caller names none and no store says otherwise: the registry's measured
 * `defaultDtype` where it can run as measured, else fp32. For all-MiniLM-L6-v2 that is int8 with the
 * scout's recipe (`SCOUT_INT8_RECIPE`: 8-bit weights, static activation ranges, so a chunk's vector
 * never depends on its batch) on CPUs where 8-bit weights are safe (`int8WeightsSafe`: x86 with VNNI,
 * Arm): it embeds ~2x as fast as fp32 and, through `sift eval` on SciFact, the DBpedia subset and the
 * three classic collections, ranked like fp32 (pooled over 1,502 queries: hybrid nDCG@10 +0.0005
 * [-0.0020, +0.0031], dense -0.0015 [-0.0052, +0.0022]; bench/RESULTS.md). Models never measured, and
 * CPUs that would need another recipe, load fp32. A store keeps the dtype it was built with.
 *
 * @example defaultScoutDtype('sentence-transformers/all-MiniLM-L6-v2'); // 'int8' on a VNNI CPU
 */
export function defaultScoutDtype(model: string, int8Safe: boolean = int8WeightsSafe()): ModelDtype {
  return measuredDefaultDtype(model, 'embedder', int8Safe);
}

export interface OnnxEmbedderOptions extends ModelLoadOptions {
  /** Model name (registry name, alias, `org/name` ONNX repo) or a model folder. */
  model: string;
  /** Pooling override (default: the registry's, else `1_Pooling/config.json`-free mean pooling). */
  pooling?: Pooling;
  /** Prefix for queries (default: the registry's, e.g. `query: ` for e5). */
  queryPrefix?: string;
  /** Prefix for passages (default: the registry's, e.g. `passage: ` for e5). */
  passagePrefix?: string;
  /** Maximum tokens per text (default: the model's, 256 for all-MiniLM-L6-v2). */
  maxLength?: number;
  /** Default texts per batch (default 8). */
  batchSize?: number;
}

interface Loaded {
  model: TextModel;
  output: string;
  pooling: Pooling;
  dimension: number;
  maxLength: number;
  prefixes: { query: string; passage: string };
}

/**
 * The scout: a local ONNX bi-encoder producing unit-length sentence vectors.
 *
 * @example
 * const scout = new OnnxEmbedder({ model: 'sentence-transformers/all-MiniLM-L6-v2' });
 * const [q] = await scout.embed(['how many people live in Berlin?'], { kind: 'query' });
 * q.length // 384
 */
export class OnnxEmbedder implements Embedder {
  readonly model: string;
  readonly dtype: ModelDtype;
  readonly int8Recipe: string | undefined;
  private readonly options: OnnxEmbedderOptions;
  private readonly lazy: LazyTextModel<Omit<Loaded, 'model'>>;

  constructor(options: OnnxEmbedderOptions) {
    // The canonical name, so a store built with an alias recognises the same model under any name.
    this.model = findModel(options.model, 'embedder')?.name ?? options.model;
    this.dtype = options.dtype ?? defaultScoutDtype(options.model);
    const recipe = this.dtype === 'int8' ? (options.int8Recipe ?? scoutInt8Recipe()) : undefined;
    this.int8Recipe = recipe && int8RecipeTag(recipe);
    this.options = { ...options, dtype: this.dtype, ...(recipe ? { int8Recipe: recipe } : {}) };
    this.lazy = new LazyTextModel(options.model, 'embedder', this.options, (model) => this.prepare(model));
  }

  async dimension(): Promise<number> {
    return (await this.ensureLoaded()).dimension;
  }

  /** Resolves files and opens the session; called by the first `embed`. */
  async load(): Promise<{
    model: string;
    dir: string;
    dtype: string;
    dimension: number;
    maxLength: number;
    pooling: Pooling;
  }> {
    const l = await this.ensureLoaded();
    return {
      model: l.model.resolved.name,
      dir: l.model.resolved.dir,
      dtype: l.model.resolved.dtype,
      dimension: l.dimension,
      maxLength: l.maxLength,
      pooling: l.pooling,
    };
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    texts.forEach((t, i) => {
      if (typeof t !== 'string')
        throw new SiftError('INVALID_INPUT', `text ${i} to embed is not a string`, { details: { index: i } });
    });
    if (texts.length === 0) return [];
    const loaded = await this.ensureLoaded();
    const batchSize = options.batchSize ?? this.options.batchSize ?? DEFAULT_EMBED_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new SiftError('INVALID_OPTION', `\`batchSize\` must be a whole number >= 1, got ${String(batchSize)}`, {
        details: { option: 'batchSize' },
      });
    }
    const prefix = loaded.prefixes[options.kind ?? 'passage'];
    const { session, tokenizer, layout, padId } = loaded.model;
    const sequences = texts.map((t) => encodeSingle(tokenizer, layout, prefix + t, loaded.maxLength));
    const vectors = new Array<Float32Array>(texts.length);
    let done = 0;
    // Batches run `session.concurrency` at a time (a pool of workers runs several side by side).
    const batches = lengthSortedBatches(
      sequences.map((s) => s.ids.length),
      batchSize,
    );
    await runConcurrently(batches, session.concurrency, async (batch) => {
      if (options.signal?.aborted)
        throw new SiftError('ABORTED', 'embedding was aborted', { cause: options.signal.reason });
      const seqs = batch.map((i) => sequences[i]!);
      const out = (await session.run(batchTensors(session, seqs, padId), [loaded.output]))[loaded.output]!;
      const data = out.data as Float32Array;
      let pooled: Float32Array[];
      if (out.dims.length === 2) {
        // Already a sentence embedding ([rows, dim]): normalise only.
        pooled = seqs.map((_, r) => normalize(data.slice(r * loaded.dimension, (r + 1) * loaded.dimension)));
      } else {
        const [rows, width, dim] = out.dims as [number, number, number];
        pooled = poolAndNormalize(
          data,
          rows,
          width,
          dim,
          seqs.map((s) => s.ids.length),
          loaded.pooling,
        );
      }
      batch.forEach((textIndex, row) => (vectors[textIndex] = pooled[row]!));
      done += batch.length;
      options.onProgress?.(done, texts.length);
    });
    return vectors;
  }

  async close(): Promise<void> {
    await this.lazy.close();
  }

  private ensureLoaded(): Promise<Loaded> {
    return this.lazy.get();
  }

  /** Checks the graph and settles pooling, dimension, length and prefixes from the registry and config. */
  private prepare(model: TextModel): Omit<Loaded, 'model'> {
    const output = expectInterface(model.session, {
      required: ['input_ids', 'attention_mask'],
      outputs: ['last_hidden_state', 'token_embeddings', 'sentence_embedding'],
      what: 'text embedding (feature extraction) model',
    });
    const spec = model.resolved.spec;
    const config = model.resolved.config;
    const dimension = spec?.dimension ?? (typeof config.hidden_size === 'number' ? config.hidden_size : undefined);
    if (dimension === undefined) {
      throw new SiftError(
        'MODEL_INVALID',
        `${model.resolved.dir}/config.json has no hidden_size; cannot tell the embedding dimension`,
      );
    }
    const limit = model.maxLength;
    const maxLength = this.options.maxLength ?? limit;
    if (!Number.isInteger(maxLength) || maxLength < 3 || maxLength > limit) {
      throw new SiftError(
        'INVALID_OPTION',
        `\`maxLength\` must be a whole number from 3 to ${limit}, got ${String(this.options.maxLength)}`,
        {
          details: { option: 'maxLength' },
        },
      );
    }
    return {
      output,
      pooling: this.options.pooling ?? spec?.pooling ?? 'mean',
      dimension,
      maxLength,
      prefixes: {
        query: this.options.queryPrefix ?? spec?.queryPrefix ?? '',
        passage: this.options.passagePrefix ?? spec?.passagePrefix ?? '',
      },
    };
  }
}
