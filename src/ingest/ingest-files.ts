import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { chunkText, resolveChunkOptions } from '../chunking/chunk-text.js';
import { DEFAULT_HEADING_CONTEXT, type HeadingContext } from '../chunking/heading-context.js';
import { headingPathAt, joinHeadingPath } from '../chunking/heading-path.js';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { loadError, skipReasonOf } from '../loaders/file-checks.js';
import { parseDocument, readSourceFile } from '../loaders/load-file.js';
import type { LoadedDocument } from '../loaders/loaded-document.js';
import { checkStoreEmbedding, embedderEmbedding } from '../stores/check-store-embedding.js';
import type { VectorStore } from '../stores/vector-store.js';
import { contentFingerprint } from './chunk-id.js';
import { confinedRealPath } from './confine-path.js';
import { DEFAULT_COMMIT_CHUNKS, PipelinedWriter } from './write-batch.js';
import type { IngestProgress, IngestSummary, SkippedFile } from './ingest-summary.js';
import { isUnder, walkFiles } from './walk-files.js';

export interface IngestOptions {
  /** Files and folders to ingest (folders recursively). */
  paths: readonly string[];
  /** An open store; its embedding must be the embedder's (or null with no embedder). */
  store: VectorStore;
  /** The scout that embeds chunks, or null for a keyword-only store. */
  embedder: Embedder | null;
  /** Characters per chunk (default 500). */
  chunkSize?: number;
  /** Characters shared by neighbouring chunks (default 50). */
  chunkOverlap?: number;
  /** Globs files must match (see `walkFiles`). */
  include?: readonly string[];
  /** Globs of files and folders to leave out. */
  exclude?: readonly string[];
  /** Folders never walked into (the store's own folder). */
  skipDirs?: readonly string[];
  /**
   * Real paths of folders every file must really lie in (`sift serve --ingest-root`): a file whose
   * symbolic link leads elsewhere is skipped (`outside-roots`), never read.
   */
  confineTo?: readonly string[];
  /** Remove sources under `paths` that the walk no longer finds (deleted or now excluded). */
  prune?: boolean;
  /** Largest file read, in bytes (default 50 MiB). */
  maxFileBytes?: number;
  /**
   * Chunks embedded and written per commit (default 1024). Whole files only: a file's chunks are
   * never split across commits, so a batch may be larger when one file has many chunks. Larger
   * batches mean fewer commits (faster than 256 with the real fp32 scout, bench/RESULTS.md); smaller
   * ones lose less work to a crash. Range 32–4096.
   */
  batchChunks?: number;
  /** Texts per embedder batch (default: the embedder's). */
  embedBatchSize?: number;
  /**
   * Overlap each batch's store write with the next batch's embedding (default true). False writes
   * strictly one batch after the other, as before; kept for measuring the difference.
   */
  pipeline?: boolean | undefined;
  /**
   * Which stages read heading path + chunk; ingest applies `scout` (what is embedded). Default
   * {@link DEFAULT_HEADING_CONTEXT}. Changing it re-embeds every file on the next ingest.
   */
  headingContext?: HeadingContext;
  onProgress?: (progress: IngestProgress) => void;
  /** Called once the files are listed, before any is read. */
  onStart?: (filesTotal: number) => void;
  signal?: AbortSignal;
}

/**
 * Brings the store up to date with files on disk: new and changed files are loaded, chunked,
 * embedded and written (each file's chunks in one commit, its fingerprint recorded after), unchanged
 * files cost one read and a hash, bad files are skipped with a reason, and with `prune` sources that
 * disappeared are removed. Safe to kill at any moment and re-run (see `VectorStore.replaceSources`).
 * A file that was ingested before and now fails to load keeps its old chunks (it is reported as
 * skipped); only `prune` removes sources, and only those the walk no longer finds.
 *
 * @example
 * const summary = await ingestFiles({ paths: ['docs'], store, embedder });
 * summary.files; // { seen: 12, ingested: 11, unchanged: 0, skipped: 1, removed: 0 }
 */
export async function ingestFiles(options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { store, embedder } = options;
  const settings = resolveChunkOptions({ chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap });
  const batchChunks = options.batchChunks ?? DEFAULT_COMMIT_CHUNKS;
  const headingContext = options.headingContext ?? DEFAULT_HEADING_CONTEXT;
  const fingerprintSettings = { ...settings, scoutContext: embedder !== null && headingContext.has('scout') };
  const info = await store.info();
  const embedding = embedder ? await embedderEmbedding(embedder) : null;
  checkStoreEmbedding(info.location, info.embedding, embedding);

  const walk = await walkFiles(options.paths, {
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.skipDirs ? { skipDirs: options.skipDirs } : {}),
  });
  const known = new Map((await store.listSources()).map((s) => [s.source, s]));
  const summary: IngestSummary = {
    store: info.location,
    embedder: embedding?.model ?? null,
    embedding: info.embedding,
    files: { seen: walk.files.length + walk.missing.length, ingested: 0, unchanged: 0, skipped: 0, removed: 0 },
    ingested: [],
    skipped: walk.missing.map((source): SkippedFile => ({
      source,
      reason: 'not-found',
      message: `${source}: no such file or folder`,
    })),
    removed: [],
    chunks: { added: 0, removed: 0, total: 0 },
    durationMs: 0,
    chunksPerSecond: 0,
  };
  options.onStart?.(walk.files.length);

  let chunksWritten = 0;
  let filesDone = 0;
  const report = (): void => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      filesDone,
      filesTotal: walk.files.length,
      chunksWritten,
      chunksPerSecond: seconds > 0 ? chunksWritten / seconds : 0,
    });
  };

  // Each batch's write overlaps the next batch's embedding and the reading of the files after it.
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
      for (const p of batch) {
        summary.ingested.push({ source: p.record.source, chunks: p.chunks.length });
        summary.files.ingested++;
      }
      chunksWritten += result.chunks;
      report();
    },
  );
  for (const file of walk.files) {
    if (options.signal?.aborted) throw new SiftError('ABORTED', 'ingest was aborted', { cause: options.signal.reason });
    try {
      if (options.confineTo && (await confinedRealPath(file.path, options.confineTo)) === undefined) {
        throw loadError(
          file.path,
          'outside-roots',
          'the file (or the link it is) lies outside the ingest roots; it was not read',
        );
      }
      const bytes = await readSourceFile(
        file.path,
        options.maxFileBytes !== undefined ? { maxBytes: options.maxFileBytes } : {},
      );
      const contentHash = contentFingerprint(bytes, fingerprintSettings);
      if (known.get(file.path)?.contentHash === contentHash) {
        summary.files.unchanged++;
      } else {
        const doc: LoadedDocument = await parseDocument(bytes, file.path);
        const headings = doc.headings ?? [];
        const chunks = (await chunkText(doc.text, { ...settings, format: doc.format, headings })).map((c) => ({
          ...c,
          headingPath: joinHeadingPath(headingPathAt(doc.title, headings, c.start)),
        }));
        const modifiedMs = (await stat(file.path)).mtimeMs;
        writer.queue({
          record: {
            source: file.path,
            contentHash,
            chunkCount: chunks.length,
            modifiedMs,
            ingestedAt: new Date().toISOString(),
          },
          title: doc.title,
          chunks,
        });
      }
    } catch (err) {
      if (!(err instanceof SiftError) || err.code !== 'LOAD_FAILED') throw err;
      summary.skipped.push({ source: file.path, reason: skipReasonOf(err), message: err.message });
    }
    filesDone++;
    if (!(await writer.flushIfFull())) report();
  }
  await writer.finish();

  if (options.prune) {
    const found = new Set(walk.files.map((f) => f.path));
    const gone = [...known.keys()].filter((s) => !found.has(s) && walk.roots.some((root) => isUnder(s, root)));
    if (gone.length > 0) {
      const counts = new Map((await store.listSources()).map((s) => [s.source, s.chunkCount]));
      const removed = await store.deleteSources(gone);
      summary.chunks.removed += removed;
      summary.removed = gone.map((source) => ({ source, chunks: counts.get(source) ?? 0 }));
      summary.files.removed = gone.length;
    }
  }
  // Pruned paths were reported missing only because they are gone, which prune has now handled.
  if (options.prune)
    summary.skipped = summary.skipped.filter(
      (s) => s.reason !== 'not-found' || !summary.removed.some((r) => isUnder(r.source, s.source)),
    );
  summary.files.skipped = summary.skipped.length;

  if (summary.files.ingested > 0 || summary.files.removed > 0) await store.optimize();
  summary.chunks.total = await store.count();
  summary.durationMs = Math.round(performance.now() - started);
  summary.chunksPerSecond =
    summary.durationMs > 0 ? Math.round((chunksWritten / summary.durationMs) * 1000 * 10) / 10 : 0;
  return summary;
}
