import type { TextChunk } from '../chunking/chunk-text.js';
import { contextualText, type HeadingContext } from '../chunking/heading-context.js';
import type { Embedder } from '../embedding/embedder.js';
import type { ChunkRecord, SourceRecord, SourceReplacement, VectorStore, WriteResult } from '../stores/vector-store.js';
import { chunkId } from './chunk-id.js';

/** A loaded, chunked source waiting for its batch. */
export interface PendingSource {
  record: SourceRecord;
  title: string | undefined;
  /** The chunks, each with its heading path (`title › section`; the title when it has none of its own). */
  chunks: (TextChunk & { headingPath?: string | undefined })[];
}

/**
 * Chunks per commit unless told otherwise (whole sources only). 1024 per commit ingested faster than
 * 256 with the real fp32 scout in every round measured (bench/ingest-levers.bench.ts, bench/RESULTS.md):
 * fewer LanceDB commits competing with inference for the cores, and larger length-sorted pools. A crash loses at most one
 * uncommitted batch; per-source all-or-nothing holds at any size.
 */
export const DEFAULT_COMMIT_CHUNKS = 1024;

/** Most sources in one commit: stores build an `IN (...)` list of them (see `VectorStore.replaceSources`). */
export const MAX_SOURCES_PER_BATCH = 500;

export interface WriteBatchOptions {
  /** Texts per embedder batch (default: the embedder's). */
  embedBatchSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** With `scout`, the embedder reads each chunk with its heading path in front (see `contextualText`). */
  headingContext?: HeadingContext | undefined;
  /**
   * {@link PipelinedWriter} only: overlap each batch's store write with the next batch's embedding
   * (default true); false waits for each write before the next batch is embedded.
   */
  pipeline?: boolean | undefined;
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
  const texts = scoutTexts(batch, options);
  const vectors = await embedTexts(embedder, texts, options);
  const items = toReplacements(batch, vectors);
  const result = await store.replaceSources(items);
  return { ...result, chunks: texts.length };
}

/** What the scout reads of each chunk: the chunk, or with `scout` heading context its heading path in front. */
function scoutTexts(batch: readonly PendingSource[], options: WriteBatchOptions): string[] {
  const scoutContext = options.headingContext?.has('scout') ?? false;
  return batch.flatMap((p) =>
    p.chunks.map((c) => (scoutContext ? contextualText(c.text, c.headingPath ?? p.title) : c.text)),
  );
}

function embedTexts(
  embedder: Embedder | null,
  texts: string[],
  options: WriteBatchOptions,
): Promise<Float32Array[] | undefined> {
  if (!embedder) return Promise.resolve(undefined);
  return embedder.embed(texts, {
    kind: 'passage',
    ...(options.embedBatchSize !== undefined ? { batchSize: options.embedBatchSize } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The batch's chunk records with their vectors, one replacement per source. */
function toReplacements(batch: readonly PendingSource[], vectors: Float32Array[] | undefined): SourceReplacement[] {
  let v = 0;
  return batch.map((p) => ({
    source: p.record,
    chunks: p.chunks.map((c): ChunkRecord => ({
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
    })),
  }));
}

/** What a finished write reports to {@link PipelinedWriter}'s caller. */
export type BatchWritten = (batch: readonly PendingSource[], result: WriteResult & { chunks: number }) => void;

/**
 * Writes batches in order, one commit at a time, overlapping each batch's store write with the
 * next batch's embedding (and with the reading and chunking of the files after it): inference runs
 * in onnxruntime's threads and LanceDB writes in its own, so neither waits for the other. Commits
 * stay sequential and each is `replaceSources`' all-or-nothing per source, so a crash at any moment
 * leaves what a strictly sequential ingest would. A failed write surfaces from the next write or
 * from `finish`.
 */
export class PipelinedWriter {
  readonly #store: VectorStore;
  readonly #embedder: Embedder | null;
  readonly #options: WriteBatchOptions & { batchChunks: number };
  readonly #onWritten: BatchWritten;
  #inflight: Promise<void> | undefined;
  #pending: PendingSource[] = [];
  #pendingChunks = 0;

  /** `batchChunks`: chunks per commit (a batch is also cut at MAX_SOURCES_PER_BATCH sources). */
  constructor(
    store: VectorStore,
    embedder: Embedder | null,
    options: WriteBatchOptions & { batchChunks: number },
    onWritten: BatchWritten,
  ) {
    this.#store = store;
    this.#embedder = embedder;
    this.#options = options;
    this.#onWritten = onWritten;
  }

  /** Queues a source for the next batch; nothing is embedded or written until the batch is full or `finish`. */
  queue(source: PendingSource): void {
    this.#pending.push(source);
    this.#pendingChunks += source.chunks.length;
  }

  /**
   * Writes the queued sources as one batch once they hold `batchChunks` chunks or
   * MAX_SOURCES_PER_BATCH sources; returns whether it did.
   */
  async flushIfFull(): Promise<boolean> {
    if (this.#pendingChunks < this.#options.batchChunks && this.#pending.length < MAX_SOURCES_PER_BATCH) return false;
    await this.#flush();
    return true;
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingChunks = 0;
    await this.#add(batch);
  }

  /** Embeds the batch (while the previous one is written), then starts its write and returns. */
  async #add(batch: readonly PendingSource[]): Promise<void> {
    const texts = scoutTexts(batch, this.#options);
    const vectors = await embedTexts(this.#embedder, texts, this.#options);
    await this.#inflight;
    const write = (async () => {
      const result = await this.#store.replaceSources(toReplacements(batch, vectors));
      this.#onWritten(batch, { ...result, chunks: texts.length });
    })();
    // Handled here so a failure is not an unhandled rejection before the next write awaits it.
    write.catch(() => undefined);
    this.#inflight = write;
    if (this.#options.pipeline === false) await write;
  }

  /** Writes what is still queued and waits for the last write. */
  async finish(): Promise<void> {
    await this.#flush();
    await this.#inflight;
  }
}
