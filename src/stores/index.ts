export type * from './vector-store.js';
export { checkStoreEmbedderName, checkStoreEmbedding, describeEmbedding } from './check-store-embedding.js';
export { LanceStore, openLanceStore, type LanceStoreTuning, type OpenLanceStoreOptions } from './lancedb/index.js';
export {
  PostgresStore,
  openPostgresStore,
  type OpenPostgresStoreOptions,
  type PostgresStoreTuning,
} from './postgres/index.js';
export { isPostgresLocation, openStore, readStoreEmbedding } from './open-store.js';
