import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SiftError } from '../../errors.js';
import { recordedEmbedding } from '../check-store-embedding.js';
import type { StoreEmbedding } from '../vector-store.js';

/** The file that marks a folder as a sift store and records what it was built with. */
export const MANIFEST_FILE = 'sift-store.json';

/** Contents of `sift-store.json`. */
export interface StoreManifest {
  format: 'sift-store';
  /** Layout version of the folder; bumped when tables change incompatibly. */
  version: 1;
  backend: 'lancedb';
  embedding: StoreEmbedding | null;
  createdAt: string;
}

/** Reads the manifest of the store folder `dir`, or undefined when there is none. */
export async function readManifest(dir: string): Promise<StoreManifest | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SiftError('STORE_ERROR', `cannot read ${join(dir, MANIFEST_FILE)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new SiftError('STORE_ERROR', `${join(dir, MANIFEST_FILE)} is not valid JSON; the store is damaged`, {
      cause: err,
    });
  }
  const m = value as Partial<StoreManifest>;
  const embeddingOk =
    m.embedding === null ||
    (typeof m.embedding === 'object' &&
      typeof m.embedding?.model === 'string' &&
      Number.isInteger(m.embedding?.dimension) &&
      (m.embedding.dtype === undefined || ['fp32', 'q8', 'int8'].includes(m.embedding.dtype)) &&
      (m.embedding.int8Recipe === undefined || typeof m.embedding.int8Recipe === 'string'));
  if (m.format !== 'sift-store' || m.backend !== 'lancedb' || !embeddingOk || typeof m.createdAt !== 'string') {
    throw new SiftError('STORE_ERROR', `${join(dir, MANIFEST_FILE)} is not a sift LanceDB store manifest`);
  }
  if (m.version !== 1) {
    throw new SiftError(
      'STORE_ERROR',
      `store ${dir} has layout version ${String(m.version)}; this sift reads version 1, upgrade sift`,
    );
  }
  // Stores made before sift recorded the dtype hold fp32 vectors.
  return { ...(m as StoreManifest), embedding: recordedEmbedding(m.embedding ?? null) };
}

/**
 * Writes the manifest atomically: a temporary file, fsync, then rename over the final name, so a
 * crash leaves either no manifest or a complete one, never half a file.
 */
export async function writeManifest(dir: string, manifest: StoreManifest): Promise<void> {
  const final = join(dir, MANIFEST_FILE);
  const tmp = `${final}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, final);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
