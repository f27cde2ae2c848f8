import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OnnxEmbedder } from '../../src/embedding/onnx-embedder.js';
import type { Embedder } from '../../src/embedding/embedder.js';
import { openStore } from '../../src/stores/open-store.js';
import { uniformUnitVectors } from './vectors.js';

/** A chunk of real text with its real embedding. */
export interface RealChunk {
  id: string;
  source: string;
  text: string;
  vector: Float32Array;
}

/** Every chunk (text and vector) of a sift store that was built with a real embedding model. */
export async function readStoreChunks(location: string): Promise<{ model: string; chunks: RealChunk[] }> {
  const store = await openStore(location);
  try {
    const info = await store.info();
    if (!info.embedding) throw new Error(`${location} is keyword-only; it has no vectors`);
    const chunks: RealChunk[] = [];
    for await (const batch of store.scan({ batchSize: 2000 })) {
      for (const c of batch) chunks.push({ id: c.id, source: c.source, text: c.text, vector: c.vector! });
    }
    return { model: info.embedding.model, chunks };
  } finally {
    await store.close();
  }
}

/**
 * `count` chunks from `base`: the real ones first, then copies of them (round robin) whose vector is
 * the real vector plus Gaussian noise of norm ≈ `sigma`, renormalised (cosine ≈ 1/√(1+σ²) to the
 * original: 0.89 at σ = 0.5, and about 0.8 between two copies of one chunk), keeping the real text.
 * The copies keep the real vectors' topic structure without being exact duplicates.
 */
export function expandChunks(base: readonly RealChunk[], count: number, sigma = 0.5, seed = 42): RealChunk[] {
  if (count <= base.length) return base.slice(0, count);
  const dim = base[0]!.vector.length;
  const noise = uniformUnitVectors(count - base.length, dim, seed);
  const out = base.slice();
  for (let j = base.length; j < count; j++) {
    const b = base[j % base.length]!;
    const n = noise[j - base.length]!;
    const v = new Float32Array(dim);
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      v[i] = b.vector[i]! + sigma * n[i]!;
      norm += v[i]! * v[i]!;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) v[i]! *= inv;
    const copy = Math.floor(j / base.length);
    out.push({ id: `${b.id}~${copy}`, source: `${b.source}~${copy}`, text: b.text, vector: v });
  }
  return out;
}

/** Query texts from a BEIR `queries.jsonl`, the first `count`. */
export async function readQueries(file: string, count: number): Promise<string[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, count).map((l) => String((JSON.parse(l) as { text: string }).text));
}

/** Query vectors from `model` (the real scout), cached in `cacheFile` by model and texts. */
export async function embedQueries(
  model: string,
  texts: readonly string[],
  cacheFile: string,
): Promise<Float32Array[]> {
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as {
      model: string;
      texts: string[];
      vectors: number[][];
    };
    if (
      cached.model === model &&
      cached.texts.length === texts.length &&
      cached.texts.every((t, i) => t === texts[i])
    ) {
      return cached.vectors.map((v) => Float32Array.from(v));
    }
  }
  // fp32, as the cached vectors always were (the cache is keyed by model only).
  const embedder: Embedder = new OnnxEmbedder({ model, dtype: 'fp32' });
  try {
    const vectors = await embedder.embed(texts, { kind: 'query' });
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify({ model, texts, vectors: vectors.map((v) => Array.from(v)) }));
    return vectors;
  } finally {
    await embedder.close();
  }
}

/** An "embedder" that returns query vectors computed beforehand, so a benchmark times the store only. */
export class PrecomputedEmbedder implements Embedder {
  readonly model: string;
  readonly #byText: Map<string, Float32Array>;
  constructor(model: string, texts: readonly string[], vectors: readonly Float32Array[]) {
    this.model = model;
    this.#byText = new Map(texts.map((t, i) => [t, vectors[i]!]));
  }
  async dimension(): Promise<number> {
    return this.#byText.values().next().value!.length;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => {
      const v = this.#byText.get(t);
      if (!v) throw new Error(`no precomputed vector for query "${t}"`);
      return v;
    });
  }
  async close(): Promise<void> {}
}
