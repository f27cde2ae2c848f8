import { CHUNK_COLUMNS } from '../store-rows.js';
import type { ChunkFilter } from '../vector-store.js';

/**
 * SQL fragments shared by the PostgreSQL store's queries. Values always travel as bind parameters,
 * never inside the SQL text.
 */

/** Chunk columns read back (`CHUNK_COLUMNS`, never the vector). */
export const CHUNK_SELECT = CHUNK_COLUMNS.map((c) => `c.${c}`).join(', ');

/** The chunk columns of a collection made before `heading_path` existed (read back as null). */
export const CHUNK_SELECT_WITHOUT_HEADING_PATH = CHUNK_COLUMNS.map((c) =>
  c === 'heading_path' ? 'NULL::text AS heading_path' : `c.${c}`,
).join(', ');

/** A WHERE condition (or `true`) for a filter, appending its values to `params`. */
export function filterSql(filter: ChunkFilter | undefined, params: unknown[], column = 'c.source'): string {
  const parts: string[] = [];
  if (filter?.source !== undefined) {
    params.push(filter.source);
    parts.push(`${column} = $${params.length}`);
  }
  if (filter?.sourcePrefix !== undefined && filter.sourcePrefix !== '') {
    params.push(`${escapeLike(filter.sourcePrefix)}%`);
    parts.push(`${column} LIKE $${params.length}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

/** Escapes LIKE's wildcards (`%`, `_`) and its escape character, so a prefix matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** pgvector's text form of a vector: `[0.1,0.2,…]` (Float32 values print exactly as doubles). */
export function vectorLiteral(vector: Float32Array | readonly number[]): string {
  return `[${Array.prototype.join.call(vector, ',')}]`;
}

/** Parses pgvector's text form back into a Float32Array. */
export function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}

/**
 * The words of a text-search query: runs of letters and digits, lower-cased, each once. Only these
 * reach `to_tsquery`, so quotes, operators and parentheses in user queries are plain separators.
 */
export function queryWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}
