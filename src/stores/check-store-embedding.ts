import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import type { ModelDtype } from '../models/model-spec.js';
import type { StoreEmbedding } from './vector-store.js';

/** The dtype an embedding stands for: its own, else fp32 (stores made before sift recorded it, model-free embedders). */
export function embeddingDtype(embedding: { dtype?: ModelDtype | undefined }): ModelDtype {
  return embedding.dtype ?? 'fp32';
}

/** The embedding as a store records and reports it: the dtype always spelled out (fp32 when absent). */
export function recordedEmbedding(embedding: StoreEmbedding | null): StoreEmbedding | null {
  if (embedding === null) return null;
  const dtype = embeddingDtype(embedding);
  const { int8Recipe } = embedding;
  return {
    model: embedding.model,
    dimension: embedding.dimension,
    dtype,
    ...(dtype === 'int8' && int8Recipe !== undefined ? { int8Recipe } : {}),
  };
}

/** How a store's embedding reads in messages: the model, dimension and dtype, or "none (keyword-only)". */
export function describeEmbedding(embedding: StoreEmbedding | null): string {
  if (embedding === null) return 'none (keyword-only, BM25)';
  const recipe = embedding.int8Recipe ? `, recipe ${embedding.int8Recipe}` : '';
  return `${embedding.model} (dimension ${embedding.dimension}, ${embeddingDtype(embedding)}${recipe})`;
}

/**
 * What a store records for an embedder: its model, dimension, dtype (fp32 when it has none) and, for
 * int8, its recipe. Resolves the model's files if needed (for the dimension).
 */
export async function embedderEmbedding(embedder: Embedder): Promise<StoreEmbedding> {
  const dtype = embeddingDtype(embedder);
  return {
    model: embedder.model,
    dimension: await embedder.dimension(),
    dtype,
    ...(dtype === 'int8' && embedder.int8Recipe ? { int8Recipe: embedder.int8Recipe } : {}),
  };
}

/**
 * Throws STORE_MODEL_MISMATCH unless the caller's embedding equals the one the store was built with:
 * model, dimension and dtype (the int8 recipe is not compared). Vectors of two models live in
 * unrelated spaces, so mixing them would silently return nonsense; vectors of one model in fp32 and
 * int8 are close but not equal, and a store of mixed ones would rank by which dtype wrote a chunk.
 *
 * @example
 * checkStoreEmbedding('.sift', { model: 'a', dimension: 384 }, { model: 'b', dimension: 384 });
 * // throws: sift: store .sift was built with a (dimension 384), not b (dimension 384); …
 */
export function checkStoreEmbedding(
  location: string,
  stored: StoreEmbedding | null,
  wanted: StoreEmbedding | null,
): void {
  const same =
    stored === null || wanted === null
      ? stored === wanted
      : stored.model === wanted.model && stored.dimension === wanted.dimension;
  if (!same) throw mismatch(location, stored, describeEmbedding(wanted), wanted);
  if (stored !== null && wanted !== null) checkStoreDtype(location, stored, wanted.dtype);
}

/**
 * Throws STORE_MODEL_MISMATCH (`details.option` dtype) when a store built with one dtype would be searched or extended with
 * another (undefined `dtype`: fp32). Nothing stored changes; the message names both and the fix.
 *
 * @example
 * checkStoreDtype('.sift', { model: 'm', dimension: 384, dtype: 'int8' }, 'fp32');
 * // throws: sift: store .sift was built with m in int8, not fp32; use `dtype` int8 (or leave it out: …
 */
export function checkStoreDtype(location: string, stored: StoreEmbedding, dtype: ModelDtype | undefined): void {
  const have = embeddingDtype(stored);
  const want = dtype ?? 'fp32';
  if (have === want) return;
  throw new SiftError(
    'STORE_MODEL_MISMATCH',
    `store ${location} was built with ${stored.model} in ${have}, not ${want}; use \`dtype\` ${have} (or leave it out: searches and ingests follow the store), or another \`store\` for ${want} vectors`,
    { details: { location, stored: have, wanted: want, option: 'dtype' } },
  );
}

/**
 * The same check by model name alone (null: keyword-only), made before the model is loaded so that a
 * mismatch never costs a download; the dimension is checked once the model runs.
 *
 * @example
 * checkStoreEmbedderName('.sift', { model: 'a', dimension: 384 }, 'b');
 * // throws: sift: store .sift was built with a (dimension 384), not b; …
 */
export function checkStoreEmbedderName(location: string, stored: StoreEmbedding | null, model: string | null): void {
  if ((stored?.model ?? null) !== model)
    throw mismatch(location, stored, model ?? describeEmbedding(null), model === null ? null : { model });
}

/**
 * The checks made before the scout loads, so that a mismatch never costs a download: the model by
 * name, then the dtype (null scout: keyword-only). The dimension is checked once the model runs.
 */
export function checkStoreScout(
  location: string,
  stored: StoreEmbedding | null,
  scout: Pick<Embedder, 'model' | 'dtype'> | null,
): void {
  checkStoreEmbedderName(location, stored, scout?.model ?? null);
  if (stored !== null && scout !== null) checkStoreDtype(location, stored, scout.dtype);
}

function mismatch(location: string, stored: StoreEmbedding | null, wantedText: string, wanted: unknown): SiftError {
  const fix = stored === null ? '`embedder` none' : `\`embedder\` ${stored.model}`;
  return new SiftError(
    'STORE_MODEL_MISMATCH',
    `store ${location} was built with ${describeEmbedding(stored)}, not ${wantedText}; use ${fix}, or another \`store\` for the new model`,
    { details: { location, stored, wanted, option: 'embedder' } },
  );
}
