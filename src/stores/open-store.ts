import { resolve } from 'node:path';
import { isSiftError } from '../errors.js';
import { openLanceStore } from './lancedb/open-lance-store.js';
import { readManifest } from './lancedb/store-manifest.js';
import { isPostgresLocation } from './postgres/postgres-location.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import type { OpenStoreOptions, StoreEmbedding, VectorStore } from './vector-store.js';

/**
 * Opens the store at a location, choosing the backend from its form: `postgres://…` or
 * `postgresql://…` is a PostgreSQL collection (see `postgres/postgres-location.ts` for
 * `?collection=` and `?ef_search=`), anything else a LanceDB store folder. This is what `--store`
 * and `SIFT_STORE` accept.
 *
 * @example
 * await openStore('.sift');                                         // LanceDB folder
 * await openStore('postgres://me@db/rag?collection=docs', { create: true, embedding }); // PostgreSQL
 */
export function openStore(location: string, options: OpenStoreOptions = {}): Promise<VectorStore> {
  return isPostgresLocation(location) ? openPostgresStore(location, options) : openLanceStore(location, options);
}

/**
 * The embedding an existing store was built with (null: keyword-only), or undefined when there is
 * no store at the location yet. Lets a command pick the store's model before loading any model.
 */
export async function readStoreEmbedding(location: string): Promise<StoreEmbedding | null | undefined> {
  if (!isPostgresLocation(location)) return (await readManifest(resolve(location)))?.embedding;
  let store: VectorStore;
  try {
    store = await openPostgresStore(location);
  } catch (err) {
    // A missing collection is "no store yet"; connection and other failures are the caller's to see.
    if (isSiftError(err, 'STORE_ERROR') && err.details?.missing === true) return undefined;
    throw err;
  }
  try {
    return (await store.info()).embedding;
  } finally {
    await store.close();
  }
}

export { isPostgresLocation };
