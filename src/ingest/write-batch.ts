import type { TextChunk } from '../chunking/chunk-text.js';
import { contextualText, type HeadingContext } from '../chunking/heading-context.js';
import type { Embedder } from '../embedding/embedder.js';
import type { ChunkRecord, SourceRecord, VectorStore, WriteResult } from '../stores/vector-store.js';
import { chunkId } from './chunk-id.js';

/** A loaded, chunked source waiting for its batch. */
export interface PendingSource {
  record: SourceRecord;
  title: string | undefined;
  /** The chunks, each with its heading path (`title › section`; the title when it has none of its own). */
  chunks: (TextChunk & { headingPath?: string | undefined })[];
}

/** Most sources in one commit: stores build an `IN (...)` list of them (see `VectorStore.replaceSources`). */
export const MAX_SOURCES_PER_BATCH = 500;

export interface WriteBatchOptions {
  /** Texts per embedder batch (default: the embedder's). */
  embedBatchSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** With `scout`, the embedder reads each chunk with its heading path in front (see `contextualText`). */
  headingContext?: HeadingContext | undefined;
}

/**
 * Embeds a batch of sources' chunks in one pass and replaces those sources in the store in one
 * commit (`VectorStore.replaceSources`: every source fully replaced, or left as it was). Shared by
 * file ingestion and document ingestion, so both write the same chunk records with the same ids.
 */
export async function writeBatch(
  store: VectorStore,
  embedder: Embedder | null,
  batch: readonly PendingSource[],
  options: WriteBatchOptions = {},
): Promise<WriteResult & { chunks: number }> {
  const scoutContext = options.headingContext?.has('scout') ?? false;
  const texts = batch.flatMap((p) => p.chunks.map((c) => (scoutContext ? contextualText(c.text, c.headingPath ?? p.title) : c.text)));
  const vectors = embedder
    ? await embedder.embed(texts, {
        kind: 'passage',
        ...(options.embedBatchSize !== undefined ? { batchSize: options.embedBatchSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : undefined;
  let v = 0;
  const items = batch.map((p) => ({
    source: p.record,
    chunks: p.chunks.map(
      (c): ChunkRecord => ({
        id: chunkId(p.record.source, c.index, c.text),
        source: p.record.source,
        text: c.text,
        title: p.title,
        headingPath: c.headingPath ?? p.title,
        chunkIndex: c.index,
        start: c.start,
        end: c.end,
        modifiedMs: p.record.modifiedMs,
        vector: vectors?.[v++],
      }),
    ),
  }));
  const result = await store.replaceSources(items);
  return { ...result, chunks: texts.length };
}
