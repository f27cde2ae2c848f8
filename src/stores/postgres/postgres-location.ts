import { SiftError } from '../../errors.js';

/**
 * Where a PostgreSQL store lives: a connection string plus sift's own query parameters, which are
 * taken out before the rest goes to the `pg` driver (so `sslmode`, `application_name`, … still work).
 *
 * `postgres://user:password@host:5432/db?collection=docs&ef_search=100`
 * - `collection`: the store's name inside the database (default `sift`). Each collection is its own
 *   PostgreSQL schema of that name, so several stores share one database without sharing tables,
 *   and `DROP SCHEMA docs CASCADE` removes one completely. Lower-case letters, digits and `_`,
 *   starting with a letter or `_`, at most 63 characters (PostgreSQL's identifier limit).
 * - `ef_search`: HNSW candidates kept per query (pgvector's `hnsw.ef_search`, default 100); see
 *   `PostgresStoreTuning.efSearch`.
 * - `pool_size`: connections this process keeps open to the server (default 4, 1–100); see
 *   `PostgresStoreTuning.poolSize`.
 */
export interface PostgresLocation {
  /** The connection string for `pg`, without sift's parameters. */
  connectionString: string;
  /** Schema holding the collection's tables. */
  schema: string;
  /** The location as it may be printed: the password replaced by `***`. */
  display: string;
  /** Host and port (or socket folder) and database, for connection-failure messages. */
  server: string;
  /** `ef_search` from the query string, if given. */
  efSearch?: number;
  /** `pool_size` from the query string, if given. */
  poolSize?: number;
}

/** The default collection (and schema) name. */
export const DEFAULT_COLLECTION = 'sift';

const COLLECTION = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED = new Set(['public', 'information_schema']);

/** True for `postgres://…` and `postgresql://…` locations. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Parses a PostgreSQL store location.
 *
 * @example
 * parsePostgresLocation('postgres://me:pw@db:5432/rag?collection=docs').display;
 * // 'postgres://me:***@db:5432/rag?collection=docs'
 */
export function parsePostgresLocation(location: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch (err) {
    throw new SiftError('INVALID_OPTION', `store location ${redactPassword(location)} is not a valid postgres:// URL`, {
      cause: err,
    });
  }
  const collection = url.searchParams.get('collection') ?? DEFAULT_COLLECTION;
  if (!COLLECTION.test(collection) || collection.startsWith('pg_') || RESERVED.has(collection)) {
    throw new SiftError(
      'INVALID_OPTION',
      `collection "${collection}" in ${redactPassword(location)} is not usable: use lower-case letters, digits and _ (at most 63, not starting with a digit or pg_, not public)`,
    );
  }
  let efSearch: number | undefined;
  const ef = url.searchParams.get('ef_search');
  if (ef !== null) {
    efSearch = Number(ef);
    if (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
      throw new SiftError(
        'INVALID_OPTION',
        `ef_search in ${redactPassword(location)} must be a whole number from 1 to 1000, got "${ef}"`,
      );
    }
  }
  let poolSize: number | undefined;
  const pool = url.searchParams.get('pool_size');
  if (pool !== null) {
    poolSize = Number(pool);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
      throw new SiftError(
        'INVALID_OPTION',
        `pool_size in ${redactPassword(location)} must be a whole number from 1 to 100, got "${pool}"`,
      );
    }
  }
  const driverUrl = new URL(url.href);
  driverUrl.searchParams.delete('collection');
  driverUrl.searchParams.delete('ef_search');
  driverUrl.searchParams.delete('pool_size');
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const server = `${host}${url.port ? `:${url.port}` : ''}/${decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)'}`;
  return {
    connectionString: driverUrl.href,
    schema: collection,
    display: redactPassword(location),
    server,
    ...(efSearch !== undefined ? { efSearch } : {}),
    ...(poolSize !== undefined ? { poolSize } : {}),
  };
}

/** The location with any password replaced by `***`, safe for messages and logs. */
export function redactPassword(location: string): string {
  return location
    .replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/i, '$1***');
}
