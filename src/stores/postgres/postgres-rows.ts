import type { SourceRecord, StoredChunk } from '../vector-store.js';

/** Row conversions of the PostgreSQL store, and how it tells a lost connection from other errors. */

/** True for errors meaning the connection is gone (refused, reset, terminated by the server or an admin). */
export function connectionLost(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === '57P01' || code === '57P02' || code === '57P03') return true;
  return /Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(String((err as Error | undefined)?.message));
}

export function rowToChunk(row: Record<string, unknown>): StoredChunk {
  const title = row.title;
  return {
    id: String(row.id),
    source: String(row.source),
    text: String(row.text),
    title: typeof title === 'string' ? title : undefined,
    chunkIndex: Number(row.chunk_index),
    start: Number(row.start_offset),
    end: Number(row.end_offset),
    modifiedMs: Number(row.modified_ms),
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
