/**
 * The store contract: the small surface stage-1 retrieval and ingestion need from a chunk store.
 * Implementations: the embedded LanceDB folder store (`lancedb/`) and PostgreSQL with pgvector
 * (`postgres/`); `open-store.ts` picks one from a location.
 * A shared contract suite (`test/stores/vector-store.contract.ts`) runs against every implementation.
 *
 * Scores are "higher is better" everywhere: cosine similarity for dense search, BM25 for text search.
 */

import type { ModelDtype } from '../models/model-spec.js';
import type { DenseIndexStats } from './memory-index/flat-dense-index.js';

/** The embedding model a store was built with; vectors of any other model are meaningless to it. */
export interface StoreEmbedding {
  /** Canonical model name (`Embedder.model`), e.g. `sentence-transformers/all-MiniLM-L6-v2`. */
  model: string;
  /** Vector size, e.g. 384. */
  dimension: number;
  /**
   * The weights the vectors came from: `fp32`, `q8` or `int8` (sift's quantization). Vectors of one
   * model in two dtypes differ slightly (cosine ~0.995), so a store takes one. Stores made before sift
   * recorded it read as fp32; absent in a caller's embedding means fp32 too.
   */
  dtype?: ModelDtype;
  /** With `dtype` int8: sift's int8 recipe and version, e.g. `scout-s8.v3` (recorded and shown, not compared). */
  int8Recipe?: string;
}

/** What a store knows about itself, fixed when it was created. */
export interface StoreInfo {
  /** Where the store lives (a folder for LanceDB, a connection string for PostgreSQL). */
  location: string;
  /** The embedding model, or null for a keyword-only (BM25) store that holds no vectors. */
  embedding: StoreEmbedding | null;
  /** ISO time of creation. */
  createdAt: string;
}

/** A chunk as written: text, provenance, and (in stores with an embedding) its vector. */
export interface ChunkRecord {
  /** Stable id derived from content (see `ingest/chunk-id.ts`); upserts are idempotent by id. */
  id: string;
  /** The document the chunk came from (an absolute file path for ingested files). */
  source: string;
  text: string;
  /** The document's title, if it has one. */
  title?: string | undefined;
  /**
   * Where the chunk sits: `title › section › subsection` (HTML and Markdown headings; the title for
   * PDF and BEIR documents). Absent in stores made before it existed: use `headingPathOf`, which
   * falls back to the title.
   */
  headingPath?: string | undefined;
  /** Position of the chunk in its document, from 0. */
  chunkIndex: number;
  /** Character offsets of the chunk in the document's extracted text: `[start, end)`. */
  start: number;
  end: number;
  /** The source file's modification time, in ms since the epoch. */
  modifiedMs: number;
  /** Unit-length vector of the store's dimension; required in stores with an embedding, ignored otherwise. */
  vector?: Float32Array | undefined;
}

/** A chunk as read back: everything but the vector. */
export type StoredChunk = Omit<ChunkRecord, 'vector'>;

/** What the store records about each ingested source, written after its chunks. */
export interface SourceRecord {
  source: string;
  /** Fingerprint of the source's bytes and the chunking settings; equal means "nothing to do". */
  contentHash: string;
  chunkCount: number;
  modifiedMs: number;
  /** ISO time the source was last written. */
  ingestedAt: string;
}

/** Metadata filter; all given conditions must hold. */
export interface ChunkFilter {
  /** Chunks of exactly this source. */
  source?: string;
  /** Chunks whose source starts with this string (e.g. a folder path with its trailing `/`). */
  sourcePrefix?: string;
}

/** A search hit. */
export interface ScoredChunk {
  chunk: StoredChunk;
  /** Dense: cosine similarity in [-1, 1]. Text: BM25 score (>= 0, unbounded). Higher is better. */
  score: number;
}

export interface DenseSearchOptions {
  /** Number of hits wanted (the store may return fewer). */
  k: number;
  filter?: ChunkFilter;
  /**
   * Exact search over every vector even when an approximate (ANN) index exists. Default false:
   * the ANN index is used when there is one, and rows added after it was built are scanned exactly.
   */
  exact?: boolean;
}

export interface ScanOptions {
  /** Chunks per yielded batch (default 1000). Larger batches mean fewer round trips and more memory; range 100–10,000. */
  batchSize?: number;
}

export interface TextSearchOptions {
  k: number;
  filter?: ChunkFilter;
  /**
   * Also match the chunk's heading path (BM25 of the heading path added to BM25 of the text), so a
   * chunk is found by its page title and section names. Stores without heading paths ignore it.
   */
  headingPath?: boolean;
}

/** One source's new chunks, replacing all its old ones. */
export interface SourceReplacement {
  source: SourceRecord;
  chunks: readonly ChunkRecord[];
}

/** Row counts of a write. */
export interface WriteResult {
  /** Chunks whose id was not in the store. */
  added: number;
  /** Chunks whose id was already there (rewritten with identical content). */
  updated: number;
  /** Chunks deleted. */
  removed: number;
}

export interface OpenStoreOptions {
  /** Create the store when it does not exist (default false: a missing store is a STORE_ERROR). */
  create?: boolean;
  /**
   * The embedding the caller will use: `null` for keyword-only, undefined to accept whatever the
   * store has (read-only callers that look at `info()` first). A store created by this call records
   * it; an existing store with a different one is refused with STORE_MODEL_MISMATCH and left untouched.
   */
  embedding?: StoreEmbedding | null;
}

/** Opens (or creates) a store at a location; every backend exports one of these. */
export type OpenStore = (location: string, options?: OpenStoreOptions) => Promise<VectorStore>;

export interface VectorStore {
  /** Model, dimension and location recorded at creation. */
  info(): Promise<StoreInfo>;
  /** Number of chunks, optionally only those matching a filter. */
  count(filter?: ChunkFilter): Promise<number>;
  /** Inserts chunks or overwrites those with the same id, in one commit. */
  upsert(chunks: readonly ChunkRecord[]): Promise<WriteResult>;
  /**
   * Replaces each source's chunks with the given ones and records the sources, crash-safely: after a
   * crash at any moment every source is either fully replaced with its new record, or still listed
   * with a record that does not match its new `contentHash` (so re-running the ingest redoes it).
   * Chunks of many sources may be written in one commit.
   */
  replaceSources(items: readonly SourceReplacement[]): Promise<WriteResult>;
  /** Deletes all chunks of these sources, then their records. Returns the number of chunks deleted. */
  deleteSources(sources: readonly string[]): Promise<number>;
  /** The chunks with these ids, in the order asked; unknown ids are left out. */
  get(ids: readonly string[]): Promise<StoredChunk[]>;
  /** Every recorded source, optionally only those matching a filter, sorted by source. */
  listSources(filter?: ChunkFilter): Promise<SourceRecord[]>;
  /** Nearest chunks to a unit vector by cosine similarity. STORE_ERROR in a keyword-only store. */
  denseSearch(vector: Float32Array, options: DenseSearchOptions): Promise<ScoredChunk[]>;
  /** Full-text search ranked by BM25 (words are lower-cased and stemmed, stop words dropped). */
  textSearch(query: string, options: TextSearchOptions): Promise<ScoredChunk[]>;
  /**
   * Every chunk WITH its vector (in stores with an embedding), in batches, for copying a store
   * without re-embedding (`sift migrate`). The order is the store's own; each chunk comes once.
   */
  scan(options?: ScanOptions): AsyncIterable<ChunkRecord[]>;
  /**
   * Records sources exactly as given (insert or overwrite by source), leaving chunks alone. For
   * copying a store: its chunks are written first, its records last, so an interrupted copy leaves
   * sources unrecorded rather than recorded without their chunks.
   */
  putSources(records: readonly SourceRecord[]): Promise<void>;
  /**
   * Housekeeping after a batch of writes: folds new rows into the text and vector indexes, compacts
   * small writes, and builds an approximate vector index once the store is large enough.
   */
  optimize(): Promise<void>;
  /**
   * Stores with an in-memory dense index (the LanceDB store): loads or catches it up now, so the
   * next searches need not wait for it (`sift serve` calls it at start), and returns its size.
   */
  warmDenseIndex?(): Promise<DenseIndexStats | undefined>;
  /** Size of the in-memory dense index, or undefined while there is none (not built yet, or no such index). */
  denseIndexStats?(): DenseIndexStats | undefined;
  close(): Promise<void>;
}
