import { type DataType, Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { CHUNK_COLUMNS } from '../store-rows.js';
import type { ChunkRecord } from '../vector-store.js';

/**
 * Arrow schemas of the two tables and the row conversions. Column names are snake_case because
 * they appear in SQL filters, where DataFusion lower-cases unquoted identifiers.
 */

export const CHUNKS_TABLE = 'chunks';
export const SOURCES_TABLE = 'sources';

/**
 * Added in 0.2 (the chunk's `title › section › subsection`). Stores made before have no such column:
 * they are read without it, and their first write adds it (null for the chunks already there).
 */
export const HEADING_PATH_COLUMN = 'heading_path';

/** The chunk columns a table has (older tables lack `heading_path`). */
export function chunkColumnsOf(fieldNames: readonly string[]): string[] {
  return CHUNK_COLUMNS.filter((c) => c !== HEADING_PATH_COLUMN || fieldNames.includes(HEADING_PATH_COLUMN));
}

/** The chunks table; the `vector` column exists only in stores with an embedding. */
export function chunksSchema(dimension: number | null): Schema {
  const fields: Field<DataType>[] = [
    new Field('id', new Utf8(), false),
    new Field('source', new Utf8(), false),
    new Field('text', new Utf8(), false),
    new Field('title', new Utf8(), true),
    new Field('chunk_index', new Int32(), false),
    new Field('start_offset', new Int32(), false),
    new Field('end_offset', new Int32(), false),
    new Field('modified_ms', new Float64(), false),
  ];
  if (dimension !== null) {
    fields.push(new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false));
  }
  // Last, where `addColumns` puts it in a store made before it existed, so both have one layout.
  fields.push(new Field(HEADING_PATH_COLUMN, new Utf8(), true));
  return new Schema(fields);
}

/** The sources table: one row per ingested source, written after its chunks. */
export function sourcesSchema(): Schema {
  return new Schema([
    new Field('source', new Utf8(), false),
    new Field('content_hash', new Utf8(), false),
    new Field('chunk_count', new Int32(), false),
    new Field('modified_ms', new Float64(), false),
    new Field('ingested_at', new Utf8(), false),
  ]);
}

export function chunkToRow(chunk: ChunkRecord, withVector: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: chunk.id,
    source: chunk.source,
    text: chunk.text,
    title: chunk.title ?? null,
    chunk_index: chunk.chunkIndex,
    start_offset: chunk.start,
    end_offset: chunk.end,
    modified_ms: chunk.modifiedMs,
  };
  if (withVector) row.vector = Array.from(chunk.vector ?? []);
  row.heading_path = chunk.headingPath ?? null;
  return row;
}
