import type { Table } from '@lancedb/lancedb';
import { SiftError } from '../../errors.js';
import { FlatDenseIndex, type DenseIndexStats, type FlatDenseIndexOptions } from '../memory-index/flat-dense-index.js';
import { rowToChunk } from '../store-rows.js';
import type { ScoredChunk, StoredChunk } from '../vector-store.js';
import { sqlIn } from './sql.js';
import { CHUNK_COLUMNS } from '../store-rows.js';

/** Tunables of the store's in-memory dense index. */
export interface LanceDenseIndexOptions extends FlatDenseIndexOptions {
  /**
   * How often (ms) a search looks for commits made by other processes (default 1000). Commits made
   * through this store object are seen by the next search whatever the setting; 0 checks on every
   * search (about a millisecond on a local disk). Range 0–60,000.
   */
  refreshMs?: number;
}

/** Rows per `IN (...)` list when fetching new vectors by id. */
const IN_BATCH = 500;

/**
 * Keeps a {@link FlatDenseIndex} equal to the `chunks` table of a LanceDB store. The table stays the
 * one source of truth: the index is built from it on the first search and, whenever the table's
 * version has moved (a write by this process, or a commit by another process, seen within
 * `refreshMs`), brought up to date by diffing ids — chunk ids derive from content, so an id that is
 * still present still has the same vector; new ids have their vectors read, missing ids are dropped.
 * Nothing is ever written from the index to the store, so a crash can lose only the cache.
 *
 * The chunks' text and provenance are held beside the vectors, so a search never goes back to the
 * table: fetching 20 rows from LanceDB (`takeRowIds`) cost more than the search itself
 * (`bench/dense-index.bench.ts`, bench/RESULTS.md). That is the chunk
 * text once more in memory (~0.6 KB per 500-character chunk).
 */
export class LanceDenseIndex {
  readonly #table: Table;
  readonly #dimension: number;
  readonly #options: LanceDenseIndexOptions;
  #index: FlatDenseIndex | undefined;
  #version = -1;
  #chunks = new Map<string, StoredChunk>();
  #checkedAt = -Infinity;
  #syncing: Promise<FlatDenseIndex> | undefined;
  #background: Promise<void> | undefined;
  #closed = false;

  constructor(table: Table, dimension: number, options: LanceDenseIndexOptions = {}) {
    this.#table = table;
    this.#dimension = dimension;
    this.#options = options;
  }

  /** The k nearest chunks with exact fp32 cosine scores, after catching up with the table. */
  async search(vector: Float32Array, k: number): Promise<ScoredChunk[]> {
    const index = await this.sync();
    return index.search(vector, k).map((h) => ({ chunk: this.#chunks.get(h.id)!, score: h.score }));
  }

  /**
   * Like `search` once the index has been built; before that, starts building it in the background
   * and returns undefined, so the caller answers this query another way. A process that searches
   * once (a `sift search` command) never waits for the whole table to load; one that keeps
   * searching (a server, an evaluation) switches to the index as soon as it is ready. Later
   * catch-ups after writes are small and awaited in line.
   */
  async searchIfReady(vector: Float32Array, k: number): Promise<ScoredChunk[] | undefined> {
    if (!this.#index) {
      this.#background ??= this.sync().then(
        () => undefined,
        () => {
          this.#background = undefined;
        },
      );
      return undefined;
    }
    return this.search(vector, k);
  }

  /** Stops a background build and waits for it, so the table can be closed under it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#background;
    await this.#syncing?.catch(() => undefined);
    await this.#index?.dispose();
  }

  /** Brings the index up to date with the table's latest version; concurrent callers share one pass. */
  async sync(): Promise<FlatDenseIndex> {
    if (this.#closed) throw new SiftError('STORE_ERROR', 'the store was closed');
    while (this.#syncing) await this.#syncing.catch(() => undefined);
    if (
      this.#index &&
      this.#version === (await this.#table.version()) &&
      performance.now() - this.#checkedAt < (this.#options.refreshMs ?? 1000)
    ) {
      return this.#index;
    }
    const pass = this.#catchUp();
    this.#syncing = pass;
    try {
      return await pass;
    } finally {
      this.#syncing = undefined;
    }
  }

  /** Size of the index, or undefined before the first search built it. */
  stats(): DenseIndexStats | undefined {
    return this.#index?.stats();
  }

  async #catchUp(): Promise<FlatDenseIndex> {
    // Other processes' commits: LanceDB reads the version it opened until told to look again.
    await this.#table.checkoutLatest();
    this.#checkedAt = performance.now();
    const version = await this.#table.version();
    const index = this.#index ?? (await FlatDenseIndex.create(this.#dimension, this.#options));
    if (this.#index && version === this.#version) return index;

    const present = new Set<string>();
    for await (const batch of this.#table.query().select(['id']))
      for (const id of batch.getChild('id')!.toArray() as string[]) present.add(id);
    const gone = index.ids().filter((id) => !present.has(id));
    index.remove(gone);
    for (const id of gone) this.#chunks.delete(id);
    const fresh = [...present].filter((id) => !index.has(id));
    if (fresh.length > 0) {
      // Many new rows: one streaming scan beats thousands of `IN` lookups.
      if (fresh.length > present.size / 4) await this.#addFromScan(index, new Set(fresh));
      else
        for (let i = 0; i < fresh.length; i += IN_BATCH)
          await this.#addWhere(index, sqlIn('id', fresh.slice(i, i + IN_BATCH)));
    }
    this.#version = version;
    this.#index = index;
    return index;
  }

  async #addFromScan(index: FlatDenseIndex, wanted: Set<string>): Promise<void> {
    for await (const batch of this.#table.query().select([...CHUNK_COLUMNS, 'vector']))
      this.#addBatch(index, batch, wanted);
  }

  async #addWhere(index: FlatDenseIndex, where: string): Promise<void> {
    for await (const batch of this.#table
      .query()
      .where(where)
      .select([...CHUNK_COLUMNS, 'vector']))
      this.#addBatch(index, batch, undefined);
  }

  #addBatch(index: FlatDenseIndex, batch: ArrowBatch, wanted: Set<string> | undefined): void {
    if (this.#closed) throw new SiftError('STORE_ERROR', 'the store was closed while its vectors were loading');
    const d = this.#dimension;
    const ids = batch.getChild('id')!.toArray() as string[];
    const matrix = vectorMatrix(batch.getChild('vector')!, ids.length, d);
    const rows = batch.toArray();
    const keep: number[] = [];
    ids.forEach((id, i) => (!wanted || wanted.has(id)) && keep.push(i));
    for (const i of keep) this.#chunks.set(ids[i]!, rowToChunk(rows[i]!.toJSON()));
    if (keep.length === ids.length) return index.upsert(ids, matrix);
    const picked = new Float32Array(keep.length * d);
    keep.forEach((row, i) => picked.set(matrix.subarray(row * d, (row + 1) * d), i * d));
    index.upsert(
      keep.map((i) => ids[i]!),
      picked,
    );
  }
}

/** The part of an Arrow record batch this file reads (LanceDB returns apache-arrow `RecordBatch`es). */
interface ArrowBatch {
  getChild(name: string): ArrowVector | null;
  toArray(): { toJSON(): Record<string, unknown> }[];
}
interface ArrowVector {
  toArray(): unknown;
  get(i: number): { toArray(): ArrayLike<number> } | null;
  data: readonly { offset: number; length: number; children: readonly { offset: number; values: unknown }[] }[];
}

/** A fixed-size-list column of floats as one row-major matrix: a bulk copy of each chunk's buffer, row by row only when sliced. */
function vectorMatrix(column: ArrowVector, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  let row = 0;
  for (const data of column.data) {
    const child = data.children[0];
    const values = child?.values;
    if (
      child &&
      values instanceof Float32Array &&
      data.offset === 0 &&
      child.offset === 0 &&
      values.length >= data.length * dim
    ) {
      out.set(values.subarray(0, data.length * dim), row * dim);
      row += data.length;
    } else {
      for (let i = 0; i < data.length; i++, row++) out.set(column.get(row)!.toArray(), row * dim);
    }
  }
  return out;
}
