import pg from 'pg';
import { SiftError, toSiftError } from '../../errors.js';
import type { ModelDtype } from '../../models/model-spec.js';
import { checkStoreEmbedding, recordedEmbedding } from '../check-store-embedding.js';
import type { OpenStoreOptions, StoreEmbedding } from '../vector-store.js';
import { parsePostgresLocation, type PostgresLocation } from './postgres-location.js';
import { collectionTables, createCollectionSql, LAYOUT_VERSION, type CollectionTables } from './postgres-schema.js';
import {
  parsePgvectorVersion,
  PostgresStore,
  type PgvectorVersion,
  type PostgresStoreTuning,
} from './postgres-store.js';

export interface OpenPostgresStoreOptions extends OpenStoreOptions {
  tuning?: PostgresStoreTuning;
}

/** The manifest row of a collection. */
interface Manifest {
  embedding: StoreEmbedding | null;
  createdAt: string;
}

/**
 * Opens the collection at a `postgres://` location, or creates it with `create: true` (in one
 * transaction: schema, tables, indexes and manifest appear together or not at all). An existing
 * collection built with another embedding than `options.embedding` is refused with
 * STORE_MODEL_MISMATCH before anything is written. Connection failures are STORE_ERRORs naming the
 * server, never the password.
 *
 * @example
 * const store = await openPostgresStore('postgres://me@localhost/rag?collection=docs', {
 *   create: true, embedding: { model: 'sentence-transformers/all-MiniLM-L6-v2', dimension: 384 },
 * });
 * (await store.info()).location; // 'postgres://me@localhost/rag?collection=docs'
 */
export async function openPostgresStore(
  location: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> {
  const loc = parsePostgresLocation(location);
  const tuning: PostgresStoreTuning = {
    ...(loc.efSearch !== undefined ? { efSearch: loc.efSearch } : {}),
    ...(loc.poolSize !== undefined ? { poolSize: loc.poolSize } : {}),
    ...options.tuning,
  };
  const pool = new pg.Pool({
    connectionString: loc.connectionString,
    max: tuning.poolSize ?? 4,
    connectionTimeoutMillis: 15_000,
    // Names sift's sessions in pg_stat_activity, unless the location sets its own.
    ...(new URL(loc.connectionString).searchParams.has('application_name') ? {} : { application_name: 'sift' }),
  });
  // An idle pooled connection that dies (server restart, network) emits 'error' on the pool; without
  // a listener Node would crash. The next query on the pool gets a fresh connection or a clear error.
  pool.on('error', () => undefined);
  try {
    const t = collectionTables(loc.schema);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw toSiftError(err, 'STORE_ERROR', `cannot connect to PostgreSQL at ${loc.server} for store ${loc.display}`);
    }
    try {
      let manifest = await readManifest(client, t, loc);
      if (manifest) {
        if (options.embedding !== undefined) checkStoreEmbedding(loc.display, manifest.embedding, options.embedding);
      } else {
        if (!options.create) {
          throw new SiftError(
            'STORE_ERROR',
            `no sift store at ${loc.display} (no collection "${loc.schema}"); run \`sift ingest <paths> --store ${loc.display}\` first`,
            {
              details: { location: loc.display, missing: true },
            },
          );
        }
        if (options.embedding === undefined) {
          throw new SiftError(
            'INTERNAL',
            'creating a store needs options.embedding (a model and dimension, or null for keyword-only)',
          );
        }
        manifest = await createCollection(client, t, loc, options.embedding);
      }
      // Read at connect time: which filtered-search path the store takes depends on it.
      const pgvector = await pgvectorVersion(client);
      const server = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      const headingPath = await hasColumn(client, loc.schema, 'chunks', 'heading_path');
      return new PostgresStore(
        pool,
        {
          display: loc.display,
          server: loc.server,
          tables: t,
          embedding: manifest.embedding,
          createdAt: manifest.createdAt,
          pgvector,
          serverVersion: String(server.rows[0]?.v ?? ''),
          headingPath,
        },
        tuning,
      );
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toSiftError(err, 'STORE_ERROR', `cannot open store ${loc.display}`);
  }
}

async function readManifest(
  client: pg.PoolClient,
  t: CollectionTables,
  loc: PostgresLocation,
): Promise<Manifest | undefined> {
  const exists = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [t.manifest]);
  if (!exists.rows[0]?.ok) return undefined;
  const r = await client.query(`SELECT * FROM ${t.manifest}`);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  if (!row || row.format !== 'sift-store' || row.backend !== 'postgres') {
    throw new SiftError(
      'STORE_ERROR',
      `schema "${loc.schema}" at ${loc.server} has a manifest table that is not a sift store's`,
    );
  }
  if (row.version !== LAYOUT_VERSION) {
    throw new SiftError(
      'STORE_ERROR',
      `store ${loc.display} has layout version ${String(row.version)}; this sift reads version ${LAYOUT_VERSION}, upgrade sift`,
    );
  }
  // Collections made before sift recorded the dtype have no such column: their vectors are fp32.
  const embedding =
    typeof row.model === 'string'
      ? recordedEmbedding({
          model: row.model,
          dimension: Number(row.dimension),
          ...(typeof row.dtype === 'string' ? { dtype: row.dtype as ModelDtype } : {}),
          ...(typeof row.int8_recipe === 'string' ? { int8Recipe: row.int8_recipe } : {}),
        })
      : null;
  return { embedding, createdAt: String(row.created_at) };
}

/** Creates the collection in one transaction, under an advisory lock so two creators cannot race. */
async function createCollection(
  client: pg.PoolClient,
  t: CollectionTables,
  loc: PostgresLocation,
  embedding: StoreEmbedding | null,
): Promise<Manifest> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('sift-collection:' || $1::text))", [loc.schema]);
    const raced = await readManifest(client, t, loc);
    if (raced) {
      await client.query('COMMIT');
      checkStoreEmbedding(loc.display, raced.embedding, embedding);
      return raced;
    }
    const foreign = await client.query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = $1 LIMIT 3',
      [loc.schema],
    );
    if (foreign.rows.length > 0) {
      throw new SiftError(
        'STORE_ERROR',
        `schema "${loc.schema}" at ${loc.server} already holds tables that are not a sift store (${foreign.rows.map((r) => r.tablename).join(', ')}); choose another ?collection=`,
      );
    }
    if (embedding !== null) {
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch (err) {
        throw toSiftError(
          err,
          'STORE_ERROR',
          `pgvector is not available at ${loc.server}; install it and run \`CREATE EXTENSION vector\` as a superuser, or use \`embedder\` none`,
        );
      }
      const v = await pgvectorVersion(client);
      if (v === null || (v.major === 0 && v.minor < 5)) {
        throw new SiftError(
          'STORE_ERROR',
          `pgvector ${v?.version ?? '(none)'} at ${loc.server} has no HNSW index; upgrade it to 0.5 or later`,
        );
      }
    }
    for (const sql of createCollectionSql(t, embedding)) await client.query(sql);
    const createdAt = new Date().toISOString();
    const recorded = recordedEmbedding(embedding);
    await client.query(
      `INSERT INTO ${t.manifest} (format, version, backend, model, dimension, dtype, int8_recipe, created_at) VALUES ('sift-store', $1, 'postgres', $2, $3, $4, $5, $6)`,
      [
        LAYOUT_VERSION,
        recorded?.model ?? null,
        recorded?.dimension ?? null,
        recorded?.dtype ?? null,
        recorded?.int8Recipe ?? null,
        createdAt,
      ],
    );
    await client.query('COMMIT');
    return { embedding: recorded, createdAt };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The installed pgvector extension's version (`pg_extension.extversion`), or null when it is not installed. */
async function pgvectorVersion(client: pg.PoolClient): Promise<PgvectorVersion | null> {
  const r = await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  return parsePgvectorVersion(String(r.rows[0]?.extversion ?? ''));
}

/** Whether a table has a column (collections made by older versions lack the newer columns). */
async function hasColumn(client: pg.PoolClient, schema: string, table: string, column: string): Promise<boolean> {
  const r = await client.query(
    'SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3',
    [schema, table, column],
  );
  return r.rows.length > 0;
}
