/**
 * Builds the store `sift eval --store DIR` would build for a BEIR corpus, taking the vectors of
 * passages already embedded in a real-vector cache (`bench/support/real-vectors.ts` format: plain
 * chunks, fp32 scout) instead of embedding them again; passages the cache lacks (heading path +
 * chunk, with `--heading-context scout`) are embedded with the real scout. Only a shortcut for a
 * shared machine: the store is exactly what `sift eval` ingests (same chunks, fingerprints and
 * vectors up to float rounding of batching), and `sift eval --store DIR` without it rebuilds it.
 *
 *   SIFT_MODELS_DIR=../shared/models npx tsx tools/quality/seed-eval-store.ts \
 *     --dataset ../shared/data/scifact --cache /work/.coord/cache/vectors --store DIR [--heading-context scout]
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseHeadingContext } from '../../src/chunking/heading-context.js';
import { createEmbedder } from '../../src/pipeline/defaults.js';
import { ReusingEmbedder } from '../../src/embedding/reusing-embedder.js';
import { loadBeirDataset } from '../../src/eval/datasets/load-beir-dataset.js';
import { ingestDocuments } from '../../src/ingest/ingest-documents.js';
import { openStore } from '../../src/stores/open-store.js';

const DIM = 384;

function cachedVectors(cache: string, stem: string): Map<string, Float32Array> {
  const chunks = join(cache, `${stem}.chunks.jsonl`);
  const vectors = join(cache, `${stem}.vectors.f32`);
  const known = new Map<string, Float32Array>();
  if (!existsSync(chunks) || !existsSync(vectors)) return known;
  const texts = readFileSync(chunks, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const b = readFileSync(vectors);
  const all = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (all.length !== texts.length * DIM)
    throw new Error(`${vectors}: ${all.length / DIM} rows for ${texts.length} chunks`);
  texts.forEach((t, i) => known.set(t, all.slice(i * DIM, (i + 1) * DIM)));
  return known;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      cache: { type: 'string' },
      store: { type: 'string' },
      'heading-context': { type: 'string', default: 'none' },
    },
  });
  if (!values.dataset || !values.cache || !values.store)
    throw new Error('usage: --dataset DIR --cache DIR --store DIR [--heading-context scout]');
  const dataset = resolve(values.dataset);
  // The cache names a corpus by its path under ../shared/data, slashes as dashes (classic/cacm -> classic-cacm).
  const under = relative(resolve(dataset, '..', '..'), dataset);
  const stem = basename(resolve(dataset, '..')) === 'classic' ? under.replace(/\//g, '-') : basename(dataset);
  const known = cachedVectors(resolve(values.cache), stem);
  process.stderr.write(`seed: ${known.size} cached passages for ${stem}\n`);
  const ds = await loadBeirDataset(dataset);
  // The cached vectors are fp32 (bench/support/real-vectors.ts), so the store is an fp32 store.
  const embedder = new ReusingEmbedder(createEmbedder(undefined, { dtype: 'fp32' }), known);
  const store = await openStore(resolve(values.store), {
    create: true,
    embedding: { model: embedder.model, dimension: await embedder.dimension(), dtype: 'fp32' },
  });
  try {
    const summary = await ingestDocuments({
      documents: ds.corpus,
      store,
      embedder,
      headingContext: parseHeadingContext(values['heading-context']),
      onProgress: (p) => process.stderr.write(`\rseed: ${p.documentsDone} documents, ${p.chunksWritten} chunks`),
    });
    process.stderr.write(
      `\nseed: ${JSON.stringify({ ...summary, reused: embedder.reused, embedded: embedder.embedded })}\n`,
    );
  } finally {
    await embedder.close();
    await store.close();
  }
}

await main();
