import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SiftError, toSiftError } from '../../errors.js';
import { checkStoreEmbedding, recordedEmbedding } from '../check-store-embedding.js';
import type { OpenStoreOptions } from '../vector-store.js';
import { LanceStore, type LanceStoreTuning } from './lance-store.js';
import { loadLanceDb } from './load-lancedb.js';
import { MANIFEST_FILE, readManifest, writeManifest, type StoreManifest } from './store-manifest.js';
import { CHUNKS_TABLE, chunksSchema, SOURCES_TABLE, sourcesSchema } from './table-schemas.js';

export interface OpenLanceStoreOptions extends OpenStoreOptions {
  tuning?: LanceStoreTuning;
}

/**
 * Opens the LanceDB store in folder `location`, or creates it with `create: true`. The folder holds
 * `sift-store.json` (embedding model, dimension and dtype, written first and atomically) and two LanceDB
 * tables, `chunks` and `sources`. An existing store built with another embedding than
 * `options.embedding` is refused with STORE_MODEL_MISMATCH before anything is written.
 *
 * @example
 * const store = await openLanceStore('.sift', { create: true, embedding: { model: 'sift/hashing-256', dimension: 256 } });
 * await store.count(); // 0
 */
export async function openLanceStore(location: string, options: OpenLanceStoreOptions = {}): Promise<LanceStore> {
  const dir = resolve(location);
  let manifest = await readManifest(dir);
  if (manifest) {
    if (options.embedding !== undefined) checkStoreEmbedding(location, manifest.embedding, options.embedding);
  } else {
    if (!options.create) {
      throw new SiftError(
        'STORE_ERROR',
        `no sift store at ${location}; run \`sift ingest <paths> --store ${location}\` first, or set \`store\` / SIFT_STORE`,
      );
    }
    if (options.embedding === undefined) {
      throw new SiftError(
        'INTERNAL',
        'creating a store needs options.embedding (a model and dimension, or null for keyword-only)',
      );
    }
    await refuseForeignFolder(dir, location);
    manifest = {
      format: 'sift-store',
      version: 1,
      backend: 'lancedb',
      embedding: recordedEmbedding(options.embedding),
      createdAt: new Date().toISOString(),
    };
    await mkdir(dir, { recursive: true });
    // The manifest goes first: tables found without one would be of unknown model.
    await writeManifest(dir, manifest);
  }
  return connectTables(location, dir, manifest, options.tuning);
}

/** Opens both tables, creating any that is missing (a new store, or one whose creation was interrupted). */
async function connectTables(
  location: string,
  dir: string,
  manifest: StoreManifest,
  tuning: LanceStoreTuning | undefined,
): Promise<LanceStore> {
  const lancedb = await loadLanceDb();
  try {
    const db = await lancedb.connect(dir);
    const names = new Set(await db.tableNames());
    // A table whose creation was killed before its first commit is a folder with no version: it holds
    // nothing, so it is made again (LanceDB lists it but cannot open it).
    for (const name of [CHUNKS_TABLE, SOURCES_TABLE]) {
      if (names.has(name) && !(await hasCommittedVersion(join(dir, `${name}.lance`)))) {
        await rm(join(dir, `${name}.lance`), { recursive: true, force: true });
        names.delete(name);
      }
    }
    const chunks = names.has(CHUNKS_TABLE)
      ? await db.openTable(CHUNKS_TABLE)
      : await db.createEmptyTable(CHUNKS_TABLE, chunksSchema(manifest.embedding?.dimension ?? null), {
          mode: 'create',
          existOk: true,
        });
    const sources = names.has(SOURCES_TABLE)
      ? await db.openTable(SOURCES_TABLE)
      : await db.createEmptyTable(SOURCES_TABLE, sourcesSchema(), { mode: 'create', existOk: true });
    if (!names.has(CHUNKS_TABLE)) {
      await chunks.createIndex('text', { config: lancedb.Index.fts() });
      await chunks.createIndex('heading_path', { config: lancedb.Index.fts() });
    }
    const fields = (await chunks.schema()).fields.map((f) => f.name);
    return new LanceStore(location, manifest, db, chunks, sources, tuning, fields);
  } catch (err) {
    throw toSiftError(err, 'STORE_ERROR', `cannot open store ${location}`);
  }
}

/** Whether a LanceDB table folder holds at least one committed version (`_versions/*.manifest`). */
async function hasCommittedVersion(tableDir: string): Promise<boolean> {
  const versions = await readdir(join(tableDir, '_versions')).catch(() => [] as string[]);
  return versions.some((f) => f.endsWith('.manifest'));
}

/** Refuses to create a store inside a non-empty folder that is not one, so `--store ~/docs` cannot litter it. */
async function refuseForeignFolder(dir: string, location: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw toSiftError(err, 'STORE_ERROR', `cannot use ${location} as a store`);
  }
  const ours = new Set([MANIFEST_FILE, `${CHUNKS_TABLE}.lance`, `${SOURCES_TABLE}.lance`]);
  const foreign = entries.filter((e) => !ours.has(e) && !e.startsWith(`${MANIFEST_FILE}.`));
  if (foreign.length > 0) {
    throw new SiftError(
      'STORE_ERROR',
      `${location} is a non-empty folder that is not a sift store (it holds ${foreign.slice(0, 3).join(', ')}); choose an empty or new \`store\` folder`,
    );
  }
}
