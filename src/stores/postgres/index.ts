export { PostgresStore, type PostgresStoreTuning } from './postgres-store.js';
export { openPostgresStore, type OpenPostgresStoreOptions } from './open-postgres-store.js';
export {
  DEFAULT_COLLECTION,
  isPostgresLocation,
  parsePostgresLocation,
  redactPassword,
  type PostgresLocation,
} from './postgres-location.js';
export { BM25_B, BM25_K1 } from './bm25-sql.js';
