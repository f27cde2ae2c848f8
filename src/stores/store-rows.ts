import type { SourceRecord, StoredChunk } from './vector-store.js';

/**
 * Rows as both backends store them (snake_case columns: `chunk_index`, `start_offset`,
 * `content_hash`, …) and back to the contract's records. One mapping, so a chunk read from LanceDB
 * and from PostgreSQL is the same object and `sift migrate` copies columns one to one.
 */

/**
 * A chunk's columns in both backends, in this order (never the vector: results do not need it and it
 * is the bulk of a row). `heading_path` is missing from stores made before heading paths.
 */
export const CHUNK_COLUMNS = [
  'id',
  'source',
  'text',
  'title',
  'chunk_index',
  'start_offset',
  'end_offset',
  'modified_ms',
  'heading_path',
] as const;

export function rowToChunk(row: Record<string, unknown>): StoredChunk {
  const title = row.title;
  const headingPath = row.heading_path;
  return {
    id: String(row.id),
    source: String(row.source),
    text: String(row.text),
    title: typeof title === 'string' ? title : undefined,
    chunkIndex: Number(row.chunk_index),
    start: Number(row.start_offset),
    end: Number(row.end_offset),
    modifiedMs: Number(row.modified_ms),
    ...(typeof headingPath === 'string' && headingPath !== '' ? { headingPath } : {}),
  };
}

/**
 * Where a chunk sits, for display and heading context: its heading path, or its title in stores
 * made before heading paths (no column, or null in their old rows).
 */
export function headingPathOf(chunk: {
  headingPath?: string | undefined;
  title?: string | undefined;
}): string | undefined {
  return chunk.headingPath || chunk.title || undefined;
}

export function sourceToRow(record: SourceRecord): Record<string, unknown> {
  return {
    source: record.source,
    content_hash: record.contentHash,
    chunk_count: record.chunkCount,
    modified_ms: record.modifiedMs,
    ingested_at: record.ingestedAt,
  };
}

export function rowToSource(row: Record<string, unknown>): SourceRecord {
  return {
    source: String(row.source),
    contentHash: String(row.content_hash),
    chunkCount: Number(row.chunk_count),
    modifiedMs: Number(row.modified_ms),
    ingestedAt: String(row.ingested_at),
  };
}
