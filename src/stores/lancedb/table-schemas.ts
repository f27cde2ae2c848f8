import { type DataType, Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import type { ChunkRecord } from '../vector-store.js';

/**
 * Arrow schemas of the two tables and the row conversions. Column names are snake_case because
 * they appear in SQL filters, where DataFusion lower-cases unquoted identifiers.
 */

export const CHUNKS_TABLE = 'chunks';
export const SOURCES_TABLE = 'sources';

/** Columns read back for a chunk (never the vector: results do not need it and it is the bulk of a row). */
export const CHUNK_COLUMNS = ['id', 'source', 'text', 'title', 'chunk_index', 'start_offset', 'end_offset', 'modified_ms'];

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
  return row;
}
