import { SiftError } from '../errors.js';
import type { StoreEmbedding } from './vector-store.js';

/** How a store's embedding reads in messages: the model and dimension, or "none (keyword-only)". */
export function describeEmbedding(embedding: StoreEmbedding | null): string {
  if (embedding === null) return 'none (keyword-only, BM25)';
  return `${embedding.model} (dimension ${embedding.dimension})`;
}

/**
 * Throws STORE_MODEL_MISMATCH unless the caller's embedding equals the one the store was built with.
 * Vectors of two models live in unrelated spaces, so mixing them would silently return nonsense.
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

function mismatch(location: string, stored: StoreEmbedding | null, wantedText: string, wanted: unknown): SiftError {
  const fix = stored === null ? '`embedder` none' : `\`embedder\` ${stored.model}`;
  return new SiftError(
    'STORE_MODEL_MISMATCH',
    `store ${location} was built with ${describeEmbedding(stored)}, not ${wantedText}; use ${fix}, or another \`store\` for the new model`,
    { details: { location, stored, wanted, option: 'embedder' } },
  );
}
