import { SiftError } from '../errors.js';
import type { StoreEmbedding } from './vector-store.js';

/**
 * How a store's embedding reads in messages: the model and dimension, or "none (keyword-only)".
 * A dimension that is not known yet (NaN: the model was not loaded) is left out.
 */
export function describeEmbedding(embedding: StoreEmbedding | null): string {
  if (embedding === null) return 'none (keyword-only, BM25)';
  return Number.isFinite(embedding.dimension) ? `${embedding.model} (dimension ${embedding.dimension})` : embedding.model;
}

/**
 * Throws STORE_MODEL_MISMATCH unless the caller's embedding equals the one the store was built with.
 * Vectors of two models live in unrelated spaces, so mixing them would silently return nonsense.
 *
 * @example
 * checkStoreEmbedding('.sift', { model: 'a', dimension: 384 }, { model: 'b', dimension: 384 });
 * // throws: sift: store .sift was built with a (dimension 384), not b (dimension 384); …
 */
export function checkStoreEmbedding(location: string, stored: StoreEmbedding | null, wanted: StoreEmbedding | null): void {
  const same =
    stored === null || wanted === null
      ? stored === wanted
      : stored.model === wanted.model && stored.dimension === wanted.dimension;
  if (same) return;
  const flag = stored === null ? '--embedder none' : `--embedder ${stored.model}`;
  throw new SiftError(
    'STORE_MODEL_MISMATCH',
    `store ${location} was built with ${describeEmbedding(stored)}, not ${describeEmbedding(wanted)}; ` +
      `use ${flag}, or another --store for the new model`,
    { details: { location, stored, wanted } },
  );
}
