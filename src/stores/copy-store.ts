import { performance } from 'node:perf_hooks';
import { SiftError } from '../errors.js';
import { checkStoreEmbedding } from './check-store-embedding.js';
import type { StoreEmbedding, VectorStore } from './vector-store.js';

export interface CopyStoreOptions {
  /** Chunks read and written per step (default 1000). Larger is faster and holds more vectors in memory; range 100–10,000. */
  batchSize?: number;
  /** Called after each written batch. */
  onProgress?: (progress: { chunksCopied: number; chunksTotal: number }) => void;
}

/** What a copy did, for `sift migrate --json`. */
export interface CopySummary {
  from: string;
  to: string;
  embedding: StoreEmbedding | null;
  chunks: { source: number; copied: number; targetBefore: number; targetAfter: number };
  sources: { source: number; targetAfter: number };
  /** True when the target holds every chunk and source record of the source (checked by counting). */
  verified: boolean;
  durationMs: number;
  chunksPerSecond: number;
}

/**
 * Copies every chunk (with its vector: nothing is re-embedded) and every source record from one
 * store to another of the same embedding, then verifies by counting. Chunks go first and records
 * last, and both are upserts, so an interrupted copy is finished by running it again. The target
 * may already hold chunks (a resumed copy); it may not have another embedding (STORE_MODEL_MISMATCH,
 * before anything is written).
 *
 * @example
 * const summary = await copyStore(lance, postgres);
 * summary.chunks; // { source: 1200, copied: 1200, targetBefore: 0, targetAfter: 1200 }
 */
export async function copyStore(
  from: VectorStore,
  to: VectorStore,
  options: CopyStoreOptions = {},
): Promise<CopySummary> {
  const started = performance.now();
  const [source, target] = [await from.info(), await to.info()];
  checkStoreEmbedding(target.location, target.embedding, source.embedding);
  const batchSize = options.batchSize ?? 1000;
  const chunksTotal = await from.count();
  const targetBefore = await to.count();
  const targetSourcesBefore = (await to.listSources()).length;

  let copied = 0;
  options.onProgress?.({ chunksCopied: 0, chunksTotal });
  for await (const batch of from.scan({ batchSize })) {
    const r = await to.upsert(batch);
    copied += r.added + r.updated;
    options.onProgress?.({ chunksCopied: copied, chunksTotal });
  }
  const records = await from.listSources();
  for (let i = 0; i < records.length; i += batchSize) await to.putSources(records.slice(i, i + batchSize));
  await to.optimize();

  const targetAfter = await to.count();
  const targetSources = (await to.listSources()).length;
  // A target that started empty must now equal the source; one that held chunks must hold at least them.
  const verified =
    copied === chunksTotal &&
    (targetBefore === 0 && targetSourcesBefore === 0
      ? targetAfter === chunksTotal && targetSources === records.length
      : targetAfter >= chunksTotal && targetSources >= records.length);
  if (!verified) {
    throw new SiftError(
      'STORE_ERROR',
      `copy to ${target.location} is incomplete: ${targetAfter} chunks and ${targetSources} sources there, ${chunksTotal} and ${records.length} in ${source.location}; run it again`,
      {
        details: { copied, chunksTotal, targetAfter, targetSources, sources: records.length },
      },
    );
  }
  const durationMs = Math.round(performance.now() - started);
  return {
    from: source.location,
    to: target.location,
    embedding: source.embedding,
    chunks: { source: chunksTotal, copied, targetBefore, targetAfter },
    sources: { source: records.length, targetAfter: targetSources },
    verified,
    durationMs,
    chunksPerSecond: durationMs > 0 ? Math.round((copied / durationMs) * 1000 * 10) / 10 : 0,
  };
}
