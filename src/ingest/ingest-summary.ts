import type { StoreEmbedding } from '../stores/vector-store.js';
import type { SkipReason } from '../loaders/loaded-document.js';

/** A file that was not ingested, and why. */
export interface SkippedFile {
  source: string;
  /** A short stable word: `binary`, `empty`, `invalid-utf8`, `too-large`, `broken-pdf`, `no-text`, … */
  reason: SkipReason;
  /** The full explanation, naming the file and the fix. */
  message: string;
}

/** What an ingest did; printed by `sift ingest` and, with `--json`, as JSON. */
export interface IngestSummary {
  store: string;
  /** The embedding model, or null for a keyword-only store. */
  embedder: string | null;
  /** The store's embedding as recorded: model, dimension, dtype (and int8 recipe); null for keyword-only. */
  embedding: StoreEmbedding | null;
  files: {
    /** Files found (plus missing paths given). */
    seen: number;
    /** New or changed files whose chunks were written. */
    ingested: number;
    /** Files whose fingerprint matched the store: nothing written. */
    unchanged: number;
    skipped: number;
    /** Sources removed by `prune`. */
    removed: number;
  };
  ingested: { source: string; chunks: number }[];
  skipped: SkippedFile[];
  removed: { source: string; chunks: number }[];
  chunks: {
    /** Chunk ids new to the store. */
    added: number;
    /** Chunks deleted (old versions of changed files, pruned files). */
    removed: number;
    /** Chunks in the store afterwards. */
    total: number;
  };
  durationMs: number;
  /** Chunks written per second of the whole run (loading, chunking, embedding, writing). */
  chunksPerSecond: number;
}

/** Progress of an ingest, reported after each file and each written batch. */
export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  /** Chunks embedded and written so far. */
  chunksWritten: number;
  chunksPerSecond: number;
}
