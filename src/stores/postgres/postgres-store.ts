import type pg from 'pg';
import { SiftError, toSiftError } from '../../errors.js';
import type {
  ChunkFilter,
  ChunkRecord,
  DenseSearchOptions,
  ScanOptions,
  ScoredChunk,
  SourceRecord,
  SourceReplacement,
  StoreEmbedding,
  StoreInfo,
  StoredChunk,
  TextSearchOptions,
  VectorStore,
  WriteResult,
} from '../vector-store.js';
import { BM25_B, BM25_K1, bm25Sql } from './bm25-sql.js';
import type { CollectionTables } from './postgres-schema.js';
import { connectionLost } from './postgres-rows.js';
import { CHUNK_COLUMNS, rowToChunk, rowToSource } from '../store-rows.js';
import { checkChunks } from '../check-chunks.js';
import { checkReplacements } from '../check-replacements.js';
import {
  CHUNK_SELECT,
  CHUNK_SELECT_WITHOUT_HEADING_PATH,
  filterSql,
  parseVector,
  queryWords,
  vectorLiteral,
} from './postgres-sql.js';

/** A result row as pg returns it: column name -> value, read and converted where used. */
type Row = Record<string, unknown>;

/** Tunables of the PostgreSQL store. */
export interface PostgresStoreTuning {
  /**
   * HNSW: candidates kept while searching the graph (pgvector's `hnsw.ef_search`; default 100, at
   * least k, at most 1000). More is better recall, slower; range 40–1000. pgvector's own default
   * of 40 is tight for the k of 20–50 re-ranking wants; uniformly random vectors, the worst case,
   * need far more (recall by `ef_search`: `bench/postgres.bench.ts`, bench/RESULTS.md).
   * Also settable per location: `?ef_search=200`.
   */
  efSearch?: number;
  /**
   * Build the HNSW index once the collection holds this many chunks (default 10,000). Below it an
   * exact scan takes a few ms and has perfect recall; above it pgvector keeps the index up to date
   * on every insert. Building it over existing rows is much faster than inserting them one by one.
   */
  annMinRows?: number;
  /** Connections in the pool (default 4). A `sift serve` replica may want more; range 1–100. */
  poolSize?: number;
  /**
   * Filtered HNSW searches use pgvector's iterative index scans (default: when the server's pgvector
   * is 0.8 or later). `false` takes the path of older versions on any server: a larger `ef_search`,
   * then an exact search over the filtered rows when the index still returned fewer than k.
   */
  iterativeScan?: boolean;
}

/** A pgvector version as `pg_extension.extversion` gives it, and its numbers. */
export interface PgvectorVersion {
  version: string;
  major: number;
  minor: number;
}

/** Parses `0.8.5` (or `0.6.2-dev`) into its numbers; null for anything else. */
export function parsePgvectorVersion(extversion: string): PgvectorVersion | null {
  const m = /^(\d+)\.(\d+)/.exec(extversion);
  return m ? { version: extversion, major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** What a PostgreSQL store runs on, as read when it opened, and the filtered-search path it takes. */
export interface PostgresServerInfo {
  /** `server_version`, e.g. `16.14`. */
  postgres: string;
  /** pgvector's version, or null in a keyword-only store on a server without it. */
  pgvector: string | null;
  /** How a filtered dense search keeps k results: pgvector's iterative scan (0.8+), or a larger ef_search then an exact search. */
  filteredSearch: 'iterative-scan' | 'ef-search-then-exact';
}

/** What the store learned when it opened. */
export interface PostgresStoreState {
  display: string;
  server: string;
  tables: CollectionTables;
  embedding: StoreEmbedding | null;
  createdAt: string;
  /** pgvector's version, or null when the extension is not installed (keyword-only stores). */
  pgvector: PgvectorVersion | null;
  /** PostgreSQL's `server_version`. */
  serverVersion: string;
  /**
   * Whether `chunks` has the `heading_path` column (added in 0.2). A collection made before is read
   * without it (heading paths read back as the title) and gets it on its first write.
   */
  headingPath?: boolean;
}

/** Rows per INSERT statement, to keep each bind message a few MB at most. */
const INSERT_BATCH = 500;

type ChunkColumn = (typeof CHUNK_COLUMNS)[number];

/** Each chunk column's SQL type and value, for the batched `unnest` insert. */
const CHUNK_PARAMS: Record<ChunkColumn, [type: string, value: (c: ChunkRecord) => unknown]> = {
  id: ['text', (c) => c.id],
  source: ['text', (c) => c.source],
  text: ['text', (c) => c.text],
  title: ['text', (c) => c.title ?? null],
  chunk_index: ['int', (c) => c.chunkIndex],
  start_offset: ['int', (c) => c.start],
  end_offset: ['int', (c) => c.end],
  modified_ms: ['float8', (c) => c.modifiedMs],
  heading_path: ['text', (c) => c.headingPath ?? null],
};

/**
 * A collection in PostgreSQL with pgvector. Create it with {@link openPostgresStore}.
 *
 * Every write is one transaction: `replaceSources` deletes a source's old chunks, writes its new
 * ones and records its fingerprint in the same commit, so a dropped connection or a killed process
 * leaves each source either fully replaced or untouched (PostgreSQL rolls back the open transaction
 * when its connection dies).
 */
export class PostgresStore implements VectorStore {
  readonly #pool: pg.Pool;
  readonly #s: PostgresStoreState;
  readonly #t: CollectionTables;
  readonly #efSearch: number;
  readonly #annMinRows: number;
  readonly #iterativeScan: boolean;
  #headingPath: boolean;

  constructor(pool: pg.Pool, state: PostgresStoreState, tuning: PostgresStoreTuning = {}) {
    this.#headingPath = state.headingPath ?? true;
    this.#pool = pool;
    this.#s = state;
    this.#t = state.tables;
    this.#efSearch = tuning.efSearch ?? 100;
    this.#annMinRows = tuning.annMinRows ?? 10_000;
    const v = state.pgvector;
    this.#iterativeScan = tuning.iterativeScan !== false && v !== null && (v.major > 0 || v.minor >= 8);
  }

  async info(): Promise<StoreInfo> {
    return { location: this.#s.display, embedding: this.#s.embedding, createdAt: this.#s.createdAt };
  }

  /** The server's PostgreSQL and pgvector versions and the filtered-search path they give. */
  serverInfo(): PostgresServerInfo {
    return {
      postgres: this.#s.serverVersion,
      pgvector: this.#s.pgvector?.version ?? null,
      filteredSearch: this.#iterativeScan ? 'iterative-scan' : 'ef-search-then-exact',
    };
  }

  async count(filter?: ChunkFilter): Promise<number> {
    const params: unknown[] = [];
    const where = filterSql(filter, params);
    const r = await this.#query(
      'count chunks',
      `SELECT count(*)::float8 AS n FROM ${this.#t.chunks} c WHERE ${where}`,
      params,
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async upsert(chunks: readonly ChunkRecord[]): Promise<WriteResult> {
    if (chunks.length === 0) return { added: 0, updated: 0, removed: 0 };
    this.#validate(chunks);
    await this.#ensureHeadingPath();
    return this.#transaction('write chunks', async (client) => {
      const { added, updated } = await this.#insertChunks(client, chunks);
      return { added, updated, removed: 0 };
    });
  }

  /**
   * One transaction: delete the sources' chunks that are not among the new ones, upsert the new
   * ones, record the sources. Nothing is visible to readers until the commit, and nothing remains
   * if the connection drops before it.
   */
  async replaceSources(items: readonly SourceReplacement[]): Promise<WriteResult> {
    if (items.length === 0) return { added: 0, updated: 0, removed: 0 };
    const sources = checkReplacements(items);
    const chunks = items.flatMap((i) => i.chunks);
    this.#validate(chunks);
    await this.#ensureHeadingPath();
    return this.#transaction('replace sources', async (client) => {
      const deleted = await client.query(
        `DELETE FROM ${this.#t.chunks} WHERE source = ANY($1::text[]) AND NOT (id = ANY($2::text[]))`,
        [sources, chunks.map((c) => c.id)],
      );
      const { added, updated } = await this.#insertChunks(client, chunks);
      await this.#writeSources(
        client,
        items.map((i) => i.source),
      );
      return { added, updated, removed: deleted.rowCount ?? 0 };
    });
  }

  async deleteSources(sources: readonly string[]): Promise<number> {
    if (sources.length === 0) return 0;
    return this.#transaction('delete sources', async (client) => {
      const r = await client.query(`DELETE FROM ${this.#t.chunks} WHERE source = ANY($1::text[])`, [sources]);
      await client.query(`DELETE FROM ${this.#t.sources} WHERE source = ANY($1::text[])`, [sources]);
      return r.rowCount ?? 0;
    });
  }

  async get(ids: readonly string[]): Promise<StoredChunk[]> {
    if (ids.length === 0) return [];
    const r = await this.#query(
      'read chunks',
      `SELECT ${this.#select()} FROM ${this.#t.chunks} c WHERE c.id = ANY($1::text[])`,
      [ids],
    );
    const found = new Map(r.rows.map((row) => [String(row.id), rowToChunk(row)]));
    return ids.flatMap((id) => {
      const c = found.get(id);
      return c ? [c] : [];
    });
  }

  async listSources(filter?: ChunkFilter): Promise<SourceRecord[]> {
    const params: unknown[] = [];
    const where = filterSql(filter, params, 's.source');
    const r = await this.#query('list sources', `SELECT * FROM ${this.#t.sources} s WHERE ${where}`, params);
    // Sorted here, by code unit like the LanceDB store, not by the database's collation.
    return r.rows.map(rowToSource).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  /**
   * Cosine distance (`<=>`) ordered by the HNSW index when there is one. pgvector applies a filter
   * after the graph search, so over `ef_search` candidates a selective filter would return fewer
   * than k. A filtered search therefore:
   * 1. on pgvector 0.8+, turns on its iterative index scan (`hnsw.iterative_scan = relaxed_order`,
   *    re-sorted by distance outside a materialized CTE), which keeps walking the graph until k rows
   *    pass the filter or `hnsw.max_scan_tuples` (20,000) is reached;
   *    before 0.8, searches with `ef_search` raised to 10·k (at most 1000);
   * 2. when that still gave fewer than k, searches exactly over the filtered rows (the source index
   *    finds them; the distance sort is exact), which returns k whenever k rows match. Below
   *    `annMinRows` there is no index and the first search is already exact.
   * `exact: true` always scans exactly. Without a filter, HNSW returns k whenever ef_search ≥ k.
   */
  async denseSearch(vector: Float32Array, options: DenseSearchOptions): Promise<ScoredChunk[]> {
    const embedding = this.#s.embedding;
    if (embedding === null) {
      throw new SiftError(
        'STORE_ERROR',
        `store ${this.#s.display} is keyword-only (built with \`embedder\` none); use BM25 search`,
      );
    }
    if (vector.length !== embedding.dimension) {
      throw new SiftError(
        'STORE_MODEL_MISMATCH',
        `query vector has dimension ${vector.length}; store ${this.#s.display} holds ${embedding.dimension}`,
      );
    }
    if (options.k <= 0) return [];
    const params: unknown[] = [vectorLiteral(vector)];
    const where = filterSql(options.filter, params);
    params.push(options.k);
    const filtered = where !== 'true';
    const ef = Math.min(1000, Math.max(this.#efSearch, options.k));
    const nearest =
      `SELECT ${this.#select()}, c.embedding <=> $1::vector AS distance FROM ${this.#t.chunks} c ` +
      `WHERE ${where} ORDER BY c.embedding <=> $1::vector LIMIT $${params.length}`;
    // Exact: the distance is sorted outside a subquery fenced by OFFSET 0, an ordering no index can
    // serve, so it is exact whatever the planner settings (enable_seqscan = off included); the
    // filter still uses the source index, and a top-k heap sort keeps only k rows.
    const exactSql =
      `SELECT * FROM (SELECT ${this.#select()}, c.embedding <=> $1::vector AS distance FROM ${this.#t.chunks} c WHERE ${where} OFFSET 0) s ` +
      `ORDER BY distance, id LIMIT $${params.length}`;
    const exactSearch = (): Promise<pg.QueryResult['rows']> => this.#search([], exactSql, params);
    if (options.exact === true) return toScored(await exactSearch());
    let rows: pg.QueryResult['rows'];
    if (!filtered) {
      rows = await this.#search([`SET LOCAL hnsw.ef_search = ${ef}`], nearest, params);
    } else if (this.#iterativeScan) {
      rows = await this.#search(
        [`SET LOCAL hnsw.ef_search = ${ef}`, 'SET LOCAL hnsw.iterative_scan = relaxed_order'],
        `WITH nearest AS MATERIALIZED (${nearest}) SELECT * FROM nearest ORDER BY distance, id`,
        params,
      );
    } else {
      rows = await this.#search(
        [`SET LOCAL hnsw.ef_search = ${Math.min(1000, Math.max(ef, 10 * options.k))}`],
        nearest,
        params,
      );
    }
    if (filtered && rows.length < options.k) rows = await exactSearch();
    return toScored(rows);
  }

  /** One search statement in a transaction of its own, so `SET LOCAL` settings end with it. */
  async #search(settings: readonly string[], sql: string, params: unknown[]): Promise<Row[]> {
    return this.#transaction(
      'search vectors',
      async (client) => {
        if (settings.length > 0) await client.query(settings.join('; '));
        return (await client.query<Row>(sql, params)).rows;
      },
      false,
    );
  }

  /** BM25 over the `tsv` column; see `bm25-sql.ts` for how it is computed and why not `ts_rank_cd`. */
  async textSearch(query: string, options: TextSearchOptions): Promise<ScoredChunk[]> {
    const words = queryWords(query);
    if (options.k <= 0 || words.length === 0) return [];
    const params: unknown[] = [words.join(' ')];
    const where = filterSql(options.filter, params);
    params.push(BM25_K1, BM25_B, options.k);
    const n = params.length;
    const sql = bm25Sql(this.#t, where, `$${n - 2}::float8`, `$${n - 1}::float8`, `$${n}`, this.#select());
    const r = await this.#query('search text', sql, params);
    return r.rows.map((row) => ({ chunk: rowToChunk(row), score: Number(row.score) }));
  }

  /** Keyset pages by id: each page is its own short query, so a long copy holds no transaction open. */
  async *scan(options: ScanOptions = {}): AsyncIterable<ChunkRecord[]> {
    const batchSize = options.batchSize ?? 1000;
    const withVector = this.#s.embedding !== null;
    const columns = withVector ? `${this.#select()}, c.embedding::text AS embedding` : this.#select();
    let after: string | null = null;
    for (;;) {
      const r = await this.#query(
        'scan chunks',
        `SELECT ${columns} FROM ${this.#t.chunks} c WHERE $1::text IS NULL OR c.id > $1::text ORDER BY c.id LIMIT $2`,
        [after, batchSize],
      );
      if (r.rows.length === 0) return;
      yield r.rows.map((row): ChunkRecord => {
        const chunk: ChunkRecord = rowToChunk(row);
        if (withVector) chunk.vector = parseVector(String(row.embedding));
        return chunk;
      });
      if (r.rows.length < batchSize) return;
      after = String(r.rows[r.rows.length - 1]!.id);
    }
  }

  async putSources(records: readonly SourceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#transaction('record sources', (client) => this.#writeSources(client, records));
  }

  /**
   * Refreshes the BM25 corpus statistics, builds the HNSW index once the collection has `annMinRows`
   * chunks (pgvector maintains it on every insert after that), and updates the planner's statistics.
   */
  async optimize(): Promise<void> {
    await this.#query(
      'refresh text statistics',
      `INSERT INTO ${this.#t.stats} (singleton, chunk_count, mean_length)
       SELECT true, count(*), coalesce(avg(greatest(length(tsv), 1)), 0) FROM ${this.#t.chunks}
       ON CONFLICT (singleton) DO UPDATE SET chunk_count = EXCLUDED.chunk_count, mean_length = EXCLUDED.mean_length`,
    );
    if (this.#s.embedding !== null && !(await this.hasVectorIndex()) && (await this.count()) >= this.#annMinRows) {
      await this.createVectorIndex();
    }
    await this.#query('analyze chunks', `ANALYZE ${this.#t.chunks}`);
  }

  /**
   * Builds the HNSW index over `embedding` with cosine distance (`vector_cosine_ops`), pgvector's
   * defaults m = 16, ef_construction = 64. Writes wait while it builds; reads do not. Called by
   * `optimize()` past `annMinRows`.
   */
  async createVectorIndex(): Promise<void> {
    if (this.#s.embedding === null)
      throw new SiftError('STORE_ERROR', `store ${this.#s.display} is keyword-only; it has no vectors to index`);
    await this.#query(
      'build vector index',
      `CREATE INDEX IF NOT EXISTS ${this.#t.vectorIndex} ON ${this.#t.chunks} USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
    );
  }

  /** True when the HNSW index exists. */
  async hasVectorIndex(): Promise<boolean> {
    const r = await this.#query('list indexes', 'SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
      this.#t.name,
      this.#t.vectorIndex,
    ]);
    return r.rows.length > 0;
  }

  /** Closes the pool; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#pool.ended) return;
    await this.#pool.end();
  }

  /** Vectors present, finite and of the store's dimension, ids unique: checked before any transaction starts. */
  #validate(chunks: readonly ChunkRecord[]): void {
    checkChunks(chunks, this.#s.embedding, this.#s.display);
  }

  /** Upserts chunks in statements of INSERT_BATCH rows, counting inserts (xmax = 0) and overwrites. */
  /** A collection made before heading paths gets the column (null in its old rows) before its first write. */
  async #ensureHeadingPath(): Promise<void> {
    if (this.#headingPath) return;
    await this.#query(
      'add the heading_path column',
      `ALTER TABLE ${this.#t.chunks} ADD COLUMN IF NOT EXISTS heading_path text`,
      [],
    );
    this.#headingPath = true;
  }

  /** The chunk columns to read: without `heading_path` in a collection made before it existed. */
  #select(): string {
    return this.#headingPath ? CHUNK_SELECT : CHUNK_SELECT_WITHOUT_HEADING_PATH;
  }

  async #insertChunks(
    client: pg.PoolClient,
    chunks: readonly ChunkRecord[],
  ): Promise<{ added: number; updated: number }> {
    const withVector = this.#s.embedding !== null;

    const columns: string[] = [...CHUNK_COLUMNS, ...(withVector ? ['embedding'] : [])];
    const unnest = columns
      .map((c, j) => `$${j + 1}::${c === 'embedding' ? 'text[]::vector' : CHUNK_PARAMS[c as ChunkColumn][0]}[]`)
      .join(', ');
    const sets = columns
      .filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    let added = 0;
    let updated = 0;
    for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
      const batch = chunks.slice(i, i + INSERT_BATCH);
      const params: unknown[] = CHUNK_COLUMNS.map((c) => batch.map(CHUNK_PARAMS[c][1]));
      if (withVector) params.push(batch.map((c) => vectorLiteral(c.vector!)));
      const r = await client.query<{ inserted: boolean }>(
        `INSERT INTO ${this.#t.chunks} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})
         ON CONFLICT (id) DO UPDATE SET ${sets} RETURNING (xmax = 0) AS inserted`,
        params,
      );
      for (const row of r.rows) {
        if (row.inserted) added++;
        else updated++;
      }
    }
    return { added, updated };
  }

  async #writeSources(client: pg.PoolClient, records: readonly SourceRecord[]): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#t.sources} (source, content_hash, chunk_count, modified_ms, ingested_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::text[])
       ON CONFLICT (source) DO UPDATE SET content_hash = EXCLUDED.content_hash, chunk_count = EXCLUDED.chunk_count,
         modified_ms = EXCLUDED.modified_ms, ingested_at = EXCLUDED.ingested_at`,
      [
        records.map((r) => r.source),
        records.map((r) => r.contentHash),
        records.map((r) => r.chunkCount),
        records.map((r) => r.modifiedMs),
        records.map((r) => r.ingestedAt),
      ],
    );
  }

  /**
   * One statement on any pooled connection. Reads are retried once when the connection turns out to
   * be dead (the server restarted, a proxy cut idle links): the pool then opens a fresh one.
   */
  async #query(what: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<Row>> {
    try {
      return await this.#pool.query<Row>(sql, params);
    } catch (err) {
      if (!connectionLost(err)) throw this.#error(err, what);
      try {
        return await this.#pool.query<Row>(sql, params);
      } catch (again) {
        throw this.#error(again, what);
      }
    }
  }

  /**
   * Runs `body` in a transaction on one pooled connection. On any failure the connection is
   * discarded rather than returned to the pool: after a dropped link it is dead, and after a failed
   * ROLLBACK its state is unknown.
   */
  async #transaction<T>(what: string, body: (client: pg.PoolClient) => Promise<T>, writes = true): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.#error(err, what, writes);
    }
    // A checked-out connection that dies between two statements emits 'error' on the client, which
    // would crash the process without a listener; the next statement then fails and is reported.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', ignore);
      client.release(true);
      throw this.#error(err, what, writes);
    }
  }

  #error(err: unknown, what: string, writes = false): SiftError {
    if (err instanceof SiftError) return err;
    if (!connectionLost(err)) return toSiftError(err, 'STORE_ERROR', `store ${this.#s.display}: cannot ${what}`);
    const after = writes ? 'nothing of this write was committed, run it again' : 'the store reconnects, try again';
    const reason = err instanceof Error ? err.message : String(err);
    return new SiftError(
      'STORE_ERROR',
      `store ${this.#s.display}: cannot ${what} (connection to PostgreSQL at ${this.#s.server} lost; ${after}): ${reason}`,
      {
        cause: err,
        details: { connectionLost: true },
      },
    );
  }
}

function toScored(rows: readonly Row[]): ScoredChunk[] {
  return rows.map((row) => ({ chunk: rowToChunk(row), score: 1 - Number(row.distance) }));
}
