import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { chunkText, resolveChunkOptions } from '../chunking/chunk-text.js';
import { DEFAULT_HEADING_CONTEXT, type HeadingContext } from '../chunking/heading-context.js';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { checkStoreEmbedding, embedderEmbedding } from '../stores/check-store-embedding.js';
import type { VectorStore } from '../stores/vector-store.js';
import { DEFAULT_COMMIT_CHUNKS, PipelinedWriter } from './write-batch.js';

/** A document given as data rather than a file (a BEIR corpus entry, a database row). */
export interface DocumentInput {
  /** Unique id; becomes the chunks' `source`, so results map back to it. */
  id: string;
  title?: string | undefined;
  text: string;
}

export interface IngestDocumentsOptions {
  documents: AsyncIterable<DocumentInput> | Iterable<DocumentInput>;
  store: VectorStore;
  /** The scout, or null for a keyword-only store. */
  embedder: Embedder | null;
  /** Characters per chunk (default 500). */
  chunkSize?: number | undefined;
  /** Characters shared by neighbouring chunks (default 50). */
  chunkOverlap?: number | undefined;
  /** Chunks embedded and written per commit (default 1024, `DEFAULT_COMMIT_CHUNKS`; whole documents only). */
  batchChunks?: number | undefined;
  embedBatchSize?: number | undefined;
  /**
   * Overlap each batch's store write with the next batch's embedding (default true). False writes
   * strictly one batch after the other, as before; kept for measuring the difference.
   */
  pipeline?: boolean | undefined;
  /**
   * Which stages read heading path (here: the title) + chunk; ingest applies `scout` (what is
   * embedded). Default {@link DEFAULT_HEADING_CONTEXT}; changing it re-embeds every document.
   */
  headingContext?: HeadingContext | undefined;
  /** Called after each written batch. */
  onProgress?: (progress: { documentsDone: number; chunksWritten: number; chunksPerSecond: number }) => void;
  signal?: AbortSignal | undefined;
}

export interface IngestDocumentsSummary {
  documents: { seen: number; ingested: number; unchanged: number };
  chunks: { added: number; removed: number; total: number };
  durationMs: number;
  chunksPerSecond: number;
}

/**
 * Brings a store up to date with documents given as data: the title (when present) heads the
 * chunked text, as BEIR's retrieval baselines index it; documents whose fingerprint the store
 * already holds cost nothing; the rest are chunked, embedded and written crash-safely in batches.
 *
 * @example
 * await ingestDocuments({ documents: [{ id: 'd1', title: 'Berlin', text: '…' }], store, embedder });
 */
export async function ingestDocuments(options: IngestDocumentsOptions): Promise<IngestDocumentsSummary> {
  const started = performance.now();
  const { store, embedder } = options;
  const settings = resolveChunkOptions({ chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap });
  const batchChunks = options.batchChunks ?? DEFAULT_COMMIT_CHUNKS;
  const headingContext = options.headingContext ?? DEFAULT_HEADING_CONTEXT;
  const scoutContext = embedder !== null && headingContext.has('scout');
  const info = await store.info();
  checkStoreEmbedding(info.location, info.embedding, embedder ? await embedderEmbedding(embedder) : null);
  const known = new Map((await store.listSources()).map((s) => [s.source, s.contentHash]));

  const summary: IngestDocumentsSummary = {
    documents: { seen: 0, ingested: 0, unchanged: 0 },
    chunks: { added: 0, removed: 0, total: 0 },
    durationMs: 0,
    chunksPerSecond: 0,
  };
  let written = 0;
  // Each batch's write overlaps the next batch's embedding (see PipelinedWriter).
  const writer = new PipelinedWriter(
    store,
    embedder,
    {
      embedBatchSize: options.embedBatchSize,
      signal: options.signal,
      headingContext,
      pipeline: options.pipeline,
      batchChunks,
    },
    (batch, result) => {
      summary.chunks.added += result.added;
      summary.chunks.removed += result.removed;
      summary.documents.ingested += batch.length;
      written += result.chunks;
      const seconds = (performance.now() - started) / 1000;
      options.onProgress?.({
        documentsDone: summary.documents.seen,
        chunksWritten: written,
        chunksPerSecond: seconds > 0 ? written / seconds : 0,
      });
    },
  );
  for await (const doc of options.documents) {
    if (options.signal?.aborted) throw new SiftError('ABORTED', 'ingest was aborted', { cause: options.signal.reason });
    if (typeof doc.id !== 'string' || doc.id === '' || typeof doc.text !== 'string') {
      throw new SiftError(
        'INVALID_INPUT',
        `document ${summary.documents.seen + 1} needs a non-empty string "id" and a string "text"`,
      );
    }
    summary.documents.seen++;
    const body = doc.title ? `${doc.title}\n\n${doc.text}` : doc.text;
    // `+scout`: vectors of title + chunk, so changing the heading context re-embeds (the plain key
    // is unchanged, so stores ingested before heading paths existed are still up to date).
    const contentHash = createHash('sha256')
      .update(`sift-doc/1${scoutContext ? '+scout' : ''}\0${settings.chunkSize}\0${settings.chunkOverlap}\0`)
      .update(body)
      .digest('hex');
    if (known.get(doc.id) === contentHash) {
      summary.documents.unchanged++;
      continue;
    }
    const chunks = await chunkText(body, settings);
    writer.queue({
      record: {
        source: doc.id,
        contentHash,
        chunkCount: chunks.length,
        modifiedMs: 0,
        ingestedAt: new Date().toISOString(),
      },
      title: doc.title || undefined,
      chunks,
    });
    await writer.flushIfFull();
  }
  await writer.finish();
  if (summary.documents.ingested > 0) await store.optimize();
  summary.chunks.total = await store.count();
  summary.durationMs = Math.round(performance.now() - started);
  summary.chunksPerSecond = summary.durationMs > 0 ? Math.round((written / summary.durationMs) * 10000) / 10 : 0;
  return summary;
}
