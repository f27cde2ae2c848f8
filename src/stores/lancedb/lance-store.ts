import type { Connection, Table } from '@lancedb/lancedb';
import { SiftError } from '../../errors.js';
import type {
  ChunkFilter,
  ChunkRecord,
  DenseSearchOptions,
  ScanOptions,
  ScoredChunk,
  SourceRecord,
  SourceReplacement,
  StoreInfo,
  StoredChunk,
  TextSearchOptions,
  VectorStore,
  WriteResult,
} from '../vector-store.js';
import { loadLanceDb } from './load-lancedb.js';
import { storeIoError } from './store-io-error.js';
import { filterToSql, sqlIn } from './sql.js';
import type { StoreManifest } from './store-manifest.js';
import { chunkColumnsOf, chunkToRow, chunksSchema, HEADING_PATH_COLUMN, sourcesSchema } from './table-schemas.js';
import { rowToChunk, rowToSource, sourceToRow } from '../store-rows.js';
import { checkChunks } from '../check-chunks.js';
import { checkReplacements } from '../check-replacements.js';
import type { DenseIndexStats } from '../memory-index/flat-dense-index.js';
import { LanceDenseIndex, type LanceDenseIndexOptions } from './lance-dense-index.js';

/** Kinds of approximate vector index the store can build. */
export type VectorIndexKind = 'hnsw-sq' | 'ivf-pq';

/** Tunables of the LanceDB store. */
export interface LanceStoreTuning {
  /**
   * Build an approximate vector index once the store holds this many chunks (default 50,000). Below
   * it the exact scan is fast enough and has perfect recall (exact against HNSW-SQ latencies by store
   * size: `bench/stage1.bench.ts`, bench/RESULTS.md).
   */
  annMinRows?: number;
  /**
   * The approximate index (default `hnsw-sq`: an HNSW graph over 8-bit scalar-quantized vectors).
   * Measured recall@20 against exact: on clustered (embedding-like) vectors 0.97 at 10k and 0.98 at
   * 100k chunks with ef 300; IVF-PQ (nprobes 50, refine 10) stayed below HNSW-SQ on every data set
   * and took 2.6× longer to build (346 s against 132 s at 100k). `ivf-pq` is smaller on disk.
   */
  vectorIndex?: VectorIndexKind;
  /** HNSW: candidates kept while searching the graph (default 300, at least k). More is better recall, slower; range 50–1000. */
  ef?: number;
  /** IVF-PQ: partitions probed per query (default 20). More is better recall, slower; range 5–100. */
  nprobes?: number;
  /**
   * IVF-PQ: re-rank `k × refineFactor` candidates with exact distances (default 10). PQ distances are
   * coarse; refining recovers much of the recall for little cost. Range 1–50.
   */
  refineFactor?: number;
  /**
   * Versions older than this many milliseconds are removed by `optimize()` (default 10 minutes: long
   * enough for any concurrent reader to finish, short enough that re-ingests do not pile up on disk).
   */
  keepVersionsMs?: number;
  /**
   * Unfiltered dense searches go to an in-memory index built from the table (default on; `false`
   * sends every search to LanceDB). The index is an exact int8 scan with fp32 re-scoring, kept up to
   * date with the table (see `LanceDenseIndex`). The first search starts loading it in the
   * background and is answered by LanceDB, as is every search until it is ready (`warmDenseIndex()`
   * loads it up front). It holds 5 bytes per dimension per chunk plus the chunk text (about 2.5 GB
   * per million 384-d chunks of 500 characters). Filtered and `exact` searches always go to LanceDB.
   */
  memoryIndex?: boolean | LanceDenseIndexOptions;
}

/** Rows per `IN (...)` list, to keep generated SQL small. */
const IN_BATCH = 500;

/** The embedded LanceDB store. Create it with {@link openLanceStore}. */
export class LanceStore implements VectorStore {
  readonly #location: string;
  readonly #manifest: StoreManifest;
  readonly #db: Connection;
  readonly #chunks: Table;
  readonly #sources: Table;
  readonly #tuning: Required<Omit<LanceStoreTuning, 'memoryIndex'>>;
  readonly #dense: LanceDenseIndex | undefined;
  /** Columns read back for a chunk: without `heading_path` in a store made before it existed. */
  #columns: string[];
  #headingPathIndex: boolean | undefined;

  constructor(
    location: string,
    manifest: StoreManifest,
    db: Connection,
    chunks: Table,
    sources: Table,
    tuning: LanceStoreTuning = {},
    chunkFields: readonly string[] = [HEADING_PATH_COLUMN],
  ) {
    this.#columns = chunkColumnsOf(chunkFields);
    this.#location = location;
    this.#manifest = manifest;
    this.#db = db;
    this.#chunks = chunks;
    this.#sources = sources;
    this.#tuning = {
      annMinRows: tuning.annMinRows ?? 50_000,
      vectorIndex: tuning.vectorIndex ?? 'hnsw-sq',
      ef: tuning.ef ?? 300,
      nprobes: tuning.nprobes ?? 20,
      refineFactor: tuning.refineFactor ?? 10,
      keepVersionsMs: tuning.keepVersionsMs ?? 10 * 60_000,
    };
    const memory = tuning.memoryIndex ?? true;
    if (manifest.embedding !== null && memory !== false) {
      this.#dense = new LanceDenseIndex(chunks, manifest.embedding.dimension, memory === true ? {} : memory);
    }
  }

  async info(): Promise<StoreInfo> {
    return { location: this.#location, embedding: this.#manifest.embedding, createdAt: this.#manifest.createdAt };
  }

  async count(filter?: ChunkFilter): Promise<number> {
    return this.#guard('count chunks', () => this.#chunks.countRows(filterToSql(filter)));
  }

  async upsert(chunks: readonly ChunkRecord[]): Promise<WriteResult> {
    if (chunks.length === 0) return { added: 0, updated: 0, removed: 0 };
    const data = await this.#chunkTable(chunks);
    const r = await this.#guard('write chunks', () =>
      this.#chunks.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data),
    );
    return { added: r.numInsertedRows, updated: r.numUpdatedRows, removed: r.numDeletedRows };
  }

  /**
   * Three commits, ordered for crash safety (LanceDB commits are atomic, tables are not jointly so):
   * 1. new sources get a placeholder record with an empty hash, so chunks written next are never
   *    orphans unknown to `listSources` (and `--prune` can find them);
   * 2. one merge-insert writes all new chunks and deletes the sources' other chunks;
   * 3. the real source records (hashes) are written last.
   * A crash before 3 leaves a hash that matches no file, so the next ingest redoes those sources.
   */
  async replaceSources(items: readonly SourceReplacement[]): Promise<WriteResult> {
    if (items.length === 0) return { added: 0, updated: 0, removed: 0 };
    const sources = checkReplacements(items);
    if (sources.length > IN_BATCH)
      throw new SiftError('INVALID_INPUT', `replaceSources takes at most ${IN_BATCH} sources per call`);
    // Validate (vectors, duplicate ids) before the first commit, so a refused write changes nothing.
    const chunks = items.flatMap((i) => i.chunks);
    const data = chunks.length > 0 ? await this.#chunkTable(chunks) : undefined;

    const placeholders = items.map((i) => sourceToRow({ ...i.source, contentHash: '', chunkCount: 0 }));
    await this.#guard('record sources', async () =>
      this.#sources
        .mergeInsert('source')
        .whenNotMatchedInsertAll()
        .execute(await this.#sourceTable(placeholders)),
    );

    let result: WriteResult;
    if (data === undefined) {
      result = { added: 0, updated: 0, removed: await this.#deleteChunksOf(sources) };
    } else {
      const where = sqlIn('source', sources);
      const r = await this.#guard('write chunks', () =>
        this.#chunks
          .mergeInsert('id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where })
          .execute(data),
      );
      result = { added: r.numInsertedRows, updated: r.numUpdatedRows, removed: r.numDeletedRows };
    }

    const records = items.map((i) => sourceToRow(i.source));
    await this.#guard('record sources', async () =>
      this.#sources
        .mergeInsert('source')
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(await this.#sourceTable(records)),
    );
    return result;
  }

  async deleteSources(sources: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < sources.length; i += IN_BATCH) {
      const batch = sources.slice(i, i + IN_BATCH);
      // Chunks first, records last: a crash in between leaves a record whose chunks are gone, which
      // the next prune deletes again; the other order could leave chunks no record points to.
      removed += await this.#deleteChunksOf(batch);
      await this.#guard('delete sources', () => this.#sources.delete(sqlIn('source', batch)));
    }
    return removed;
  }

  async get(ids: readonly string[]): Promise<StoredChunk[]> {
    const found = new Map<string, StoredChunk>();
    for (let i = 0; i < ids.length; i += IN_BATCH) {
      const batch = ids.slice(i, i + IN_BATCH);
      const rows = await this.#guard('read chunks', () =>
        this.#chunks.query().where(sqlIn('id', batch)).select(this.#columns).toArray(),
      );
      for (const row of rows as Record<string, unknown>[]) {
        const chunk = rowToChunk(row);
        found.set(chunk.id, chunk);
      }
    }
    return ids.flatMap((id) => {
      const c = found.get(id);
      return c ? [c] : [];
    });
  }

  async listSources(filter?: ChunkFilter): Promise<SourceRecord[]> {
    const where = filterToSql(filter);
    const rows = await this.#guard('list sources', () => {
      const q = this.#sources.query();
      return (where ? q.where(where) : q).toArray();
    });
    return (rows as Record<string, unknown>[])
      .map(rowToSource)
      .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  async denseSearch(vector: Float32Array, options: DenseSearchOptions): Promise<ScoredChunk[]> {
    const embedding = this.#manifest.embedding;
    if (embedding === null) {
      throw new SiftError(
        'STORE_ERROR',
        `store ${this.#location} is keyword-only (built with \`embedder\` none); use BM25 search`,
      );
    }
    if (vector.length !== embedding.dimension) {
      throw new SiftError(
        'STORE_MODEL_MISMATCH',
        `query vector has dimension ${vector.length}; store ${this.#location} holds ${embedding.dimension}`,
      );
    }
    if (options.k <= 0) return [];
    const where = filterToSql(options.filter);
    if (this.#dense && !where && !options.exact) {
      const dense = this.#dense;
      const hits = await this.#guard('search vectors', () => dense.searchIfReady(vector, options.k));
      if (hits) return hits;
    }
    const rows = await this.#guard('search vectors', () => {
      let q = this.#chunks
        .vectorSearch(Array.from(vector))
        .column('vector')
        .distanceType('cosine')
        .select(this.#columns)
        .limit(options.k);
      if (where) q = q.where(where);
      if (options.exact) q = q.bypassVectorIndex();
      else if (this.#tuning.vectorIndex === 'hnsw-sq') q = q.ef(Math.max(this.#tuning.ef, options.k));
      else q = q.nprobes(this.#tuning.nprobes).refineFactor(this.#tuning.refineFactor);
      return q.toArray();
    });
    // LanceDB's cosine `_distance` is 1 − cosine similarity.
    return (rows as Record<string, unknown>[]).map((row) => ({
      chunk: rowToChunk(row),
      score: 1 - Number(row._distance),
    }));
  }

  /** Size of the in-memory dense index, or undefined before the first dense search (or without one). */
  denseIndexStats(): DenseIndexStats | undefined {
    return this.#dense?.stats();
  }

  /** Builds or catches up the in-memory dense index now, rather than on the first search (`sift serve` warms it at start). */
  async warmDenseIndex(): Promise<DenseIndexStats | undefined> {
    if (!this.#dense) return undefined;
    await this.#guard('load vectors', () => this.#dense!.sync());
    return this.#dense.stats();
  }

  async textSearch(query: string, options: TextSearchOptions): Promise<ScoredChunk[]> {
    if (options.k <= 0 || query.trim().length === 0) return [];
    const where = filterToSql(options.filter);
    const columns = options.headingPath && (await this.#headingPathIndexed()) ? ['text', HEADING_PATH_COLUMN] : 'text';
    const rows = await this.#guard('search text', () => {
      let q = this.#chunks.query().fullTextSearch(query, { columns }).select(this.#columns).limit(options.k);
      if (where) q = q.where(where);
      return q.toArray();
    });
    return (rows as Record<string, unknown>[]).map((row) => ({ chunk: rowToChunk(row), score: Number(row._score) }));
  }

  /**
   * Streams the chunks table (LanceDB applies backpressure to a slowly read stream, so memory stays
   * bounded) and regroups its record batches into `batchSize` chunks.
   */
  async *scan(options: ScanOptions = {}): AsyncIterable<ChunkRecord[]> {
    const batchSize = options.batchSize ?? 1000;
    const withVector = this.#manifest.embedding !== null;
    const columns = withVector ? [...this.#columns, 'vector'] : this.#columns;
    let pending: ChunkRecord[] = [];
    try {
      for await (const batch of this.#chunks.query().select(columns)) {
        for (const row of batch.toArray() as { toJSON(): Record<string, unknown> }[]) {
          const fields = row.toJSON();
          const chunk: ChunkRecord = rowToChunk(fields);
          if (withVector)
            chunk.vector = Float32Array.from((fields.vector as { toArray(): ArrayLike<number> }).toArray());
          pending.push(chunk);
          if (pending.length >= batchSize) {
            yield pending;
            pending = [];
          }
        }
      }
    } catch (err) {
      throw storeIoError(err, this.#location, 'scan chunks');
    }
    if (pending.length > 0) yield pending;
  }

  async putSources(records: readonly SourceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#guard('record sources', async () =>
      this.#sources
        .mergeInsert('source')
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(await this.#sourceTable(records.map(sourceToRow))),
    );
  }

  async optimize(): Promise<void> {
    const cleanupOlderThan = new Date(Date.now() - this.#tuning.keepVersionsMs);
    await this.#guard('optimize', async () => {
      const { Index } = await loadLanceDb();
      const indices = await this.#chunks.listIndices();
      if (!indices.some((i) => i.columns.includes('text'))) {
        await this.#chunks.createIndex('text', { config: Index.fts() });
      }
      if (
        this.#columns.includes(HEADING_PATH_COLUMN) &&
        !indices.some((i) => i.columns.includes(HEADING_PATH_COLUMN))
      ) {
        await this.#chunks.createIndex(HEADING_PATH_COLUMN, { config: Index.fts() });
        this.#headingPathIndex = true;
      }
      // Compacts small commits and folds new rows into the existing text and vector indexes.
      await this.#chunks.optimize({ cleanupOlderThan });
      await this.#sources.optimize({ cleanupOlderThan });
      if (this.#manifest.embedding !== null && !indices.some((i) => i.columns.includes('vector'))) {
        const rows = await this.#chunks.countRows();
        if (rows >= this.#tuning.annMinRows) await this.createVectorIndex(rows);
      }
    });
  }

  /**
   * Builds (or rebuilds) the approximate vector index of `tuning.vectorIndex`. HNSW-SQ uses one
   * partition (one graph), which LanceDB recommends unless the graph outgrows memory; IVF-PQ uses
   * √n partitions (the usual IVF rule of thumb) and 8 dimensions per PQ code. Called by `optimize()`
   * past `annMinRows`.
   */
  async createVectorIndex(rows?: number): Promise<void> {
    const embedding = this.#manifest.embedding;
    if (embedding === null)
      throw new SiftError('STORE_ERROR', `store ${this.#location} is keyword-only; it has no vectors to index`);
    const n = rows ?? (await this.#chunks.countRows());
    const { Index } = await loadLanceDb();
    const dim = embedding.dimension;
    const config =
      this.#tuning.vectorIndex === 'hnsw-sq'
        ? Index.hnswSq({ distanceType: 'cosine', numPartitions: Math.max(1, Math.ceil(n / 1_000_000)) })
        : Index.ivfPq({
            distanceType: 'cosine',
            numPartitions: Math.max(1, Math.round(Math.sqrt(n))),
            numSubVectors: dim % 8 === 0 ? dim / 8 : dim % 4 === 0 ? dim / 4 : 1,
          });
    await this.#guard('build vector index', () => this.#chunks.createIndex('vector', { config, replace: true }));
  }

  /** True when an approximate vector index exists. */
  async hasVectorIndex(): Promise<boolean> {
    return (await this.#chunks.listIndices()).some((i) => i.columns.includes('vector'));
  }

  async close(): Promise<void> {
    await this.#dense?.close();
    this.#chunks.close();
    this.#sources.close();
    this.#db.close();
  }

  async #deleteChunksOf(sources: readonly string[]): Promise<number> {
    const where = sqlIn('source', sources);
    const r = await this.#guard('delete chunks', () => this.#chunks.delete(where));
    return r.numDeletedRows;
  }

  async #chunkTable(chunks: readonly ChunkRecord[]) {
    const embedding = this.#manifest.embedding;
    checkChunks(chunks, embedding, this.#location);
    const { makeArrowTable } = await loadLanceDb();
    await this.#addHeadingPathColumn();
    const withVector = embedding !== null;
    return makeArrowTable(
      chunks.map((c) => chunkToRow(c, withVector)),
      { schema: chunksSchema(embedding?.dimension ?? null) },
    );
  }

  /** Whether the heading path has a full-text index (stores made before heading paths may not). */
  async #headingPathIndexed(): Promise<boolean> {
    this.#headingPathIndex ??= (await this.#chunks.listIndices()).some((i) => i.columns.includes(HEADING_PATH_COLUMN));
    return this.#headingPathIndex;
  }

  /** A store made before heading paths gets the column (null in its old rows) on its first write. */
  async #addHeadingPathColumn(): Promise<void> {
    if (this.#columns.includes(HEADING_PATH_COLUMN)) return;
    await this.#guard('add the heading_path column', () =>
      this.#chunks.addColumns([{ name: HEADING_PATH_COLUMN, valueSql: 'CAST(NULL AS STRING)' }]),
    );
    this.#columns = chunkColumnsOf([HEADING_PATH_COLUMN]);
  }

  async #sourceTable(rows: Record<string, unknown>[]) {
    const { makeArrowTable } = await loadLanceDb();
    return makeArrowTable(rows, { schema: sourcesSchema() });
  }

  async #guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw storeIoError(err, this.#location, what);
    }
  }
}
