import { SiftError } from '../errors.js';
import type { ChunkRecord, StoreEmbedding } from './vector-store.js';

/**
 * The checks every backend makes on chunks before it writes any of them: ids unique within the write,
 * and, in a store with an embedding, a vector of the store's dimension with finite values on every
 * chunk. `location` names the store in the errors.
 */
export function checkChunks(chunks: readonly ChunkRecord[], embedding: StoreEmbedding | null, location: string): void {
  const ids = new Set<string>();
  for (const c of chunks) {
    if (ids.has(c.id)) throw new SiftError('INVALID_INPUT', `duplicate chunk id ${c.id} in one write`);
    ids.add(c.id);
    if (embedding === null) continue;
    if (!c.vector)
      throw new SiftError(
        'INVALID_INPUT',
        `chunk ${c.id} has no vector; store ${location} needs ${embedding.model} vectors`,
      );
    if (c.vector.length !== embedding.dimension) {
      throw new SiftError(
        'STORE_MODEL_MISMATCH',
        `chunk ${c.id} has a vector of dimension ${c.vector.length}; store ${location} holds ${embedding.dimension}`,
      );
    }
    for (const x of c.vector) {
      if (!Number.isFinite(x))
        throw new SiftError('INVALID_INPUT', `chunk ${c.id} has a vector with NaN or infinite values`);
    }
  }
}
