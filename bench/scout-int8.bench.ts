/**
 * Does sift's int8 scout retrieve as well as fp32? Dense-retrieval nDCG@10 of the real
 * all-MiniLM-L6-v2 in fp32 and in sift's `int8` (src/runtime/int8) on a SciFact slice, and the
 * agreement of their vectors. The lever behind ingest speed: int8 embeds about 2x faster.
 *
 *   npm run bench -- --only scout-int8        SIFT_BENCH_SCOUT_SLICE=4096 (chunks)
 *
 * Slice: the first `SIFT_BENCH_SCOUT_SLICE` chunks of SciFact (corpus file order, chunked as
 * `ingestDocuments` does), the documents whose chunks all lie in it, and the SciFact **test** queries
 * whose relevant documents all lie in it. A document scores its best chunk. fp32 vectors come from
 * the cache of `bench/support/real-vectors.ts`; int8 ones are embedded here and cached beside them
 * (`scifact.int8-slice.f32`, `scifact.int8-queries.f32`).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { readQrels } from '../src/eval/datasets/read-qrels.js';
import { bestChunkNdcg } from './support/best-chunk-ndcg.js';
import { chunkCorpus, DIM, readRealVectors, SCOUT, sharedRoot, vectorCacheDir } from './support/real-vectors.js';
import type { BenchSuite } from './support/suite.js';
import type { QueryJudgements } from '../src/eval/types.js';

async function f32(path: string): Promise<Float32Array | undefined> {
  if (!existsSync(path)) return undefined;
  const b = await readFile(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Mean nDCG@10 over the queries (documents ranked by their best chunk, exact scan). */
function ndcg(
  chunkVectors: Float32Array,
  chunkSources: readonly string[],
  queryVectors: Float32Array,
  qrels: readonly QueryJudgements[],
): number {
  const perQuery = bestChunkNdcg(chunkVectors, chunkSources, queryVectors, qrels);
  return perQuery.reduce((a: number, x) => a + x!, 0) / qrels.length;
}

const suite: BenchSuite = {
  name: 'scout-int8',
  title: 'Scout int8 vs fp32: dense nDCG@10 of the real all-MiniLM-L6-v2 on a SciFact test slice',
  async run({ log }) {
    const real = await readRealVectors('scifact');
    if (!real)
      return {
        figures: [],
        notes: [],
        skipped: `no real SciFact vectors in ${vectorCacheDir()}; run \`npx tsx bench/support/real-vectors.ts\``,
      };
    const sliceRows = Math.min(real.rows, Number(process.env.SIFT_BENCH_SCOUT_SLICE ?? 4096));
    const chunks = (await chunkCorpus('scifact')).slice(0, sliceRows + 1);
    // Documents whose chunks all lie in the slice (the last one may be cut).
    const cut = chunks.length > sliceRows ? chunks[sliceRows]!.source : undefined;
    const rows = chunks.slice(0, sliceRows).filter((c) => c.source !== cut);
    const docs = new Set(rows.map((c) => c.source));
    const queryLines = (await readFile(join(sharedRoot(), 'data', 'scifact', 'queries.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { _id: string; text: string });
    const qrels = await readQrels(join(sharedRoot(), 'data', 'scifact', 'qrels', 'test.tsv'));
    const picked = queryLines
      .map((q, i) => ({ ...q, row: i }))
      .filter((q) => qrels.has(q._id) && [...qrels.get(q._id)!.keys()].every((d) => docs.has(d)));
    log(`slice: ${rows.length} chunks of ${docs.size} documents, ${picked.length} test queries`);

    const fpChunks = real.vectors.subarray(0, rows.length * DIM);
    const fpQueries = new Float32Array(picked.length * DIM);
    picked.forEach((q, i) => fpQueries.set(real.queryVectors.subarray(q.row * DIM, (q.row + 1) * DIM), i * DIM));

    const cache = vectorCacheDir();
    const int8Path = join(cache, 'scifact.int8-slice.f32');
    const int8QueryPath = join(cache, 'scifact.int8-queries.f32');
    let i8Chunks = await f32(int8Path);
    let i8AllQueries = await f32(int8QueryPath);
    if (!i8Chunks || i8Chunks.length < rows.length * DIM || !i8AllQueries) {
      const embedder = new OnnxEmbedder({
        model: SCOUT,
        modelsDir: join(sharedRoot(), 'models'),
        offline: true,
        dtype: 'int8',
      });
      const t0 = performance.now();
      const out = new Float32Array(rows.length * DIM);
      for (let i = 0; i < rows.length; i += 512) {
        (
          await embedder.embed(
            rows.slice(i, i + 512).map((c) => c.text),
            { kind: 'passage' },
          )
        ).forEach((v, j) => out.set(v, (i + j) * DIM));
        log(
          `int8: ${Math.min(rows.length, i + 512)}/${rows.length} chunks, ${(Math.min(rows.length, i + 512) / ((performance.now() - t0) / 1000)).toFixed(1)} chunks/s`,
        );
      }
      const qv = new Float32Array(queryLines.length * DIM);
      (
        await embedder.embed(
          queryLines.map((q) => q.text),
          { kind: 'query' },
        )
      ).forEach((v, j) => qv.set(v, j * DIM));
      await embedder.close();
      await writeFile(int8Path, new Uint8Array(out.buffer));
      await writeFile(int8QueryPath, new Uint8Array(qv.buffer));
      i8Chunks = out;
      i8AllQueries = qv;
    }
    const i8Queries = new Float32Array(picked.length * DIM);
    picked.forEach((q, i) => i8Queries.set(i8AllQueries.subarray(q.row * DIM, (q.row + 1) * DIM), i * DIM));

    const sources = rows.map((c) => c.source);
    const judged = picked.map((q) => qrels.get(q._id)!);
    const fp = ndcg(fpChunks, sources, fpQueries, judged);
    const i8 = ndcg(i8Chunks.subarray(0, rows.length * DIM), sources, i8Queries, judged);
    let minCos = 1;
    let sumCos = 0;
    for (let r = 0; r < rows.length; r++) {
      let c = 0;
      for (let j = 0; j < DIM; j++) c += fpChunks[r * DIM + j]! * i8Chunks[r * DIM + j]!;
      minCos = Math.min(minCos, c);
      sumCos += c;
    }
    const round = (x: number) => Math.round(x * 10000) / 10000;
    const params = { chunks: rows.length, documents: docs.size, queries: picked.length };
    return {
      figures: [
        {
          metric: 'scout.nDCG@10',
          value: round(fp),
          unit: 'fraction',
          model: 'sentence-transformers/all-MiniLM-L6-v2',
          dtype: 'fp32',
          params,
        },
        {
          metric: 'scout.nDCG@10',
          value: round(i8),
          unit: 'fraction',
          model: 'sentence-transformers/all-MiniLM-L6-v2',
          dtype: 'int8',
          params,
        },
        {
          metric: 'scout.nDCG@10.delta',
          value: round(i8 - fp),
          unit: 'fraction',
          model: 'sentence-transformers/all-MiniLM-L6-v2',
          dtype: 'int8 - fp32',
          params,
        },
        {
          metric: 'scout.vector-cosine.mean',
          value: round(sumCos / rows.length),
          unit: 'fraction',
          dtype: 'int8 vs fp32',
          params,
        },
        { metric: 'scout.vector-cosine.min', value: round(minCos), unit: 'fraction', dtype: 'int8 vs fp32', params },
      ],
      notes: [
        `SciFact test queries whose relevant documents all lie in the first ${sliceRows} chunks; documents ranked by their best chunk; exact dense scan`,
      ],
    };
  },
};

export default suite;
