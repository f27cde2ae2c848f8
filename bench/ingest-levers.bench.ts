/**
 * Ingest throughput with the real scout (all-MiniLM-L6-v2 from ../shared/models), side by side and
 * interleaved round by round: issue 14's baseline (fp32, no overlap, 256 chunks per commit), fp32 with
 * today's pipeline (`--dtype fp32`), the default (int8, the scout's static recipe) and sift 0.1's
 * 7-bit int8 with per-batch ranges (see VARIANTS). Whole pipeline of `ingestDocuments` (chunk, embed,
 * write, optimize) into a fresh LanceDB store per run; model loading is excluded (all loaded first).
 *
 *   npm run bench -- --only ingest-levers [--quick]      SIFT_BENCH_INGEST_DOCS=60 SIFT_BENCH_INGEST_ROUNDS=3
 *
 * Corpus: the first N SciFact documents (title + abstract, ~4.5 chunks each; default 200, several commits).
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { ingestDocuments, type DocumentInput } from '../src/ingest/ingest-documents.js';
import { SIFT_INT8_RECIPE, scoutInt8Recipe } from '../src/runtime/int8/int8-recipe.js';
import { embedderEmbedding } from '../src/stores/check-store-embedding.js';
import { openLanceStore } from '../src/stores/lancedb/index.js';
import { SCOUT, sharedRoot } from './support/real-vectors.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

type Scout = 'fp32' | 'int8' | 'int8-7bit';

interface Variant {
  name: string;
  /** `int8`: the scout's int8 recipe for this CPU (`scoutInt8Recipe`); `int8-7bit`: sift 0.1's all-int8 7-bit recipe (per-batch ranges). */
  scout: Scout;
  pipeline: boolean;
  commitChunks: number;
  /** Texts per inference batch (the embedder's default is 8). */
  embedBatch: number;
}

/**
 * The first variant is the baseline: `sift ingest` when issue 14 was filed (fp32, embedding and writing
 * one after the other, 256 chunks per commit, inference batches of 8). Then fp32 with today's pipeline
 * (write overlapped with the next batch's embedding, 1024 chunks per commit), the default (int8, the
 * scout's recipe: 8-bit weights, static activation ranges) and sift 0.1's `--dtype int8` (7-bit weights,
 * every MatMul int8, one activation range per batch). `SIFT_BENCH_INGEST_LEVERS=all` adds the levers
 * measured before that did not pay (larger inference batches, other commit sizes; bench/RESULTS.md).
 */
const VARIANTS: Variant[] = [
  {
    name: 'issue 14 baseline: fp32, sequential, 256 per commit',
    scout: 'fp32',
    pipeline: false,
    commitChunks: 256,
    embedBatch: 8,
  },
  {
    name: 'fp32 (--dtype fp32), overlapped, 1024 per commit',
    scout: 'fp32',
    pipeline: true,
    commitChunks: 1024,
    embedBatch: 8,
  },
  {
    name: 'default: int8 scout recipe, overlapped, 1024 per commit',
    scout: 'int8',
    pipeline: true,
    commitChunks: 1024,
    embedBatch: 8,
  },
  {
    name: 'int8 7-bit, per-batch ranges (sift 0.1 --dtype int8), 1024 per commit',
    scout: 'int8-7bit',
    pipeline: true,
    commitChunks: 1024,
    embedBatch: 8,
  },
  ...(process.env.SIFT_BENCH_INGEST_LEVERS === 'all'
    ? ([
        { name: 'fp32, 4096 per commit', scout: 'fp32', pipeline: true, commitChunks: 4096, embedBatch: 8 },
        { name: 'fp32, overlapped, 256 per commit', scout: 'fp32', pipeline: true, commitChunks: 256, embedBatch: 8 },
        { name: 'fp32, batch 16', scout: 'fp32', pipeline: true, commitChunks: 1024, embedBatch: 16 },
        { name: 'fp32, batch 32', scout: 'fp32', pipeline: true, commitChunks: 1024, embedBatch: 32 },
      ] satisfies Variant[])
    : []),
];

async function scifactDocs(count: number): Promise<DocumentInput[]> {
  const input = createReadStream(join(sharedRoot(), 'data', 'scifact', 'corpus.jsonl.gz')).pipe(createGunzip());
  const docs: DocumentInput[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as { _id: string; title?: string; text: string };
    docs.push({ id: String(d._id), title: d.title, text: d.text });
    if (docs.length >= count) break;
  }
  input.destroy();
  return docs;
}

const suite: BenchSuite = {
  name: 'ingest-levers',
  title: 'Ingest throughput levers with the real all-MiniLM-L6-v2 scout: overlap, int8, commit size',
  async run({ quick, log }) {
    const modelsDir = join(sharedRoot(), 'models');
    if (!existsSync(join(modelsDir, 'Xenova', 'all-MiniLM-L6-v2', 'onnx', 'model.onnx'))) {
      return { figures: [], notes: [], skipped: `no real scout at ${modelsDir}/Xenova/all-MiniLM-L6-v2` };
    }
    const docs = await scifactDocs(Number(process.env.SIFT_BENCH_INGEST_DOCS ?? (quick ? 20 : 200)));
    const rounds = Number(process.env.SIFT_BENCH_INGEST_ROUNDS ?? (quick ? 1 : 2));
    const embedders: Record<Scout, OnnxEmbedder> = {
      fp32: new OnnxEmbedder({ model: SCOUT, modelsDir, offline: true, dtype: 'fp32' }),
      int8: new OnnxEmbedder({ model: SCOUT, modelsDir, offline: true, dtype: 'int8', int8Recipe: scoutInt8Recipe() }),
      'int8-7bit': new OnnxEmbedder({
        model: SCOUT,
        modelsDir,
        offline: true,
        dtype: 'int8',
        int8Recipe: SIFT_INT8_RECIPE,
      }),
    };
    log(`int8 scout recipe on this CPU: ${embedders.int8.int8Recipe ?? ''}`);
    for (const e of Object.values(embedders)) await e.embed(['warm-up: load the session and run it once']);
    const loadStart = loadavg()[0]!;
    const base = await mkdtemp(join(tmpdir(), 'sift-ingest-bench-'));
    const rates = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    let chunks = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        for (const v of VARIANTS) {
          const embedder = embedders[v.scout];
          const location = join(base, `r${round}-${VARIANTS.indexOf(v)}`);
          const store = await openLanceStore(location, { create: true, embedding: await embedderEmbedding(embedder) });
          const summary = await ingestDocuments({
            documents: docs,
            store,
            embedder,
            batchChunks: v.commitChunks,
            pipeline: v.pipeline,
            embedBatchSize: v.embedBatch,
          });
          await store.close();
          await rm(location, { recursive: true, force: true });
          chunks = summary.chunks.total;
          rates.get(v.name)!.push(summary.chunksPerSecond);
          log(`round ${round + 1}: ${v.name}: ${summary.chunksPerSecond} chunks/s (${chunks} chunks)`);
        }
      }
    } finally {
      for (const e of Object.values(embedders)) await e.close();
      await rm(base, { recursive: true, force: true });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const baseline = rates.get(VARIANTS[0]!.name)!;
    const figures: BenchFigure[] = [];
    for (const v of VARIANTS) {
      const r = rates.get(v.name)!;
      const params = {
        variant: v.name,
        ...(embedders[v.scout].int8Recipe ? { int8Recipe: embedders[v.scout].int8Recipe } : {}),
        pipeline: v.pipeline,
        commitChunks: v.commitChunks,
        embedBatch: v.embedBatch,
        documents: docs.length,
        chunks,
      };
      figures.push({
        metric: 'ingest.throughput',
        value: median(r),
        unit: 'chunks/s',
        model: 'sentence-transformers/all-MiniLM-L6-v2',
        dtype: embedders[v.scout].dtype,
        params,
        note: `median of ${rounds} interleaved rounds`,
      });
      const ratios = r.map((x, i) => x / baseline[i]!);
      figures.push({
        metric: 'ingest.speedup',
        value: Math.round(median(ratios) * 100) / 100,
        unit: 'ratio',
        dtype: embedders[v.scout].dtype,
        params,
        note: `per-round ratio to ${VARIANTS[0]!.name}, median`,
      });
      if (v !== VARIANTS[1]) {
        const fp32 = rates.get(VARIANTS[1]!.name)!;
        figures.push({
          metric: 'ingest.speedup_vs_fp32',
          value: Math.round(median(r.map((x, i) => x / fp32[i]!)) * 100) / 100,
          unit: 'ratio',
          dtype: embedders[v.scout].dtype,
          params,
          note: `per-round ratio to ${VARIANTS[1]!.name}, median`,
        });
      }
    }
    return {
      figures,
      notes: [
        `${docs.length} SciFact documents, ${chunks} chunks, onnxruntime default threads; load average ${loadStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (2 cores shared)`,
      ],
    };
  },
};

export default suite;
