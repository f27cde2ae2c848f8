import type { StoreEmbedding } from '../vector-store.js';

/**
 * The tables of one collection, all inside the collection's own schema:
 * - `manifest`: one row, the embedding model, dimension and dtype (null for keyword-only; collections
 *   made before sift recorded the dtype have no `dtype` column and read as fp32) and layout version;
 * - `sources`: one row per ingested source (fingerprint, chunk count);
 * - `chunks`: text, provenance, `embedding vector(dim)` (stores with an embedding only) and `tsv`, a
 *   generated `tsvector` (English stemming and stop words, like the LanceDB store's tokenizer) with a
 *   GIN index, so full-text search never re-parses text;
 * - `text_stats`: one row of corpus statistics for BM25 (chunk count, mean chunk length), refreshed
 *   by `optimize()`.
 * The HNSW index over `embedding` is created by `optimize()` past `annMinRows` (see the store).
 */

/** Layout version of the tables; bumped when they change incompatibly. */
export const LAYOUT_VERSION = 1;

/** The text search configuration: stemming and stop words of PostgreSQL's `english`. */
export const TEXT_CONFIG = 'english';

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Qualified table names of a collection. */
export interface CollectionTables {
  /** The schema's name as PostgreSQL lists it (unquoted). */
  name: string;
  /** The schema, quoted for SQL. */
  schema: string;
  manifest: string;
  sources: string;
  chunks: string;
  stats: string;
  /** The HNSW index name (unqualified, as `pg_indexes` lists it). */
  vectorIndex: string;
}

export function collectionTables(schema: string): CollectionTables {
  const q = ident(schema);
  return {
    name: schema,
    schema: q,
    manifest: `${q}.manifest`,
    sources: `${q}.sources`,
    chunks: `${q}.chunks`,
    stats: `${q}.text_stats`,
    vectorIndex: 'chunks_embedding_hnsw',
  };
}

/** DDL creating a collection's tables and indexes; run inside the creating transaction. */
export function createCollectionSql(t: CollectionTables, embedding: StoreEmbedding | null): string[] {
  const vector = embedding === null ? '' : `embedding vector(${embedding.dimension}) NOT NULL,`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${t.schema}`,
    `CREATE TABLE ${t.manifest} (
       singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
       format text NOT NULL,
       version integer NOT NULL,
       backend text NOT NULL,
       model text,
       dimension integer,
       dtype text,
       int8_recipe text,
       created_at text NOT NULL)`,
    `CREATE TABLE ${t.sources} (
       source text PRIMARY KEY,
       content_hash text NOT NULL,
       chunk_count integer NOT NULL,
       modified_ms double precision NOT NULL,
       ingested_at text NOT NULL)`,
    `CREATE TABLE ${t.chunks} (
       id text PRIMARY KEY,
       source text NOT NULL,
       text text NOT NULL,
       title text,
       chunk_index integer NOT NULL,
       start_offset integer NOT NULL,
       end_offset integer NOT NULL,
       modified_ms double precision NOT NULL,
       heading_path text,
       ${vector}
       tsv tsvector GENERATED ALWAYS AS (to_tsvector('${TEXT_CONFIG}', text)) STORED)`,
    // text_pattern_ops serves both equality and the `LIKE 'prefix%'` of source-prefix filters.
    `CREATE INDEX chunks_source ON ${t.chunks} (source text_pattern_ops)`,
    `CREATE INDEX chunks_tsv ON ${t.chunks} USING gin (tsv)`,
    `CREATE INDEX sources_source ON ${t.sources} (source text_pattern_ops)`,
    `CREATE TABLE ${t.stats} (
       singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
       chunk_count bigint NOT NULL,
       mean_length double precision NOT NULL)`,
  ];
}
