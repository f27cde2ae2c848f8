/**
 * Which int8 recipe keeps the real all-MiniLM-L6-v2 scout within 0.002 nDCG@10 of fp32? Rewrites the
 * fp32 graph with `quantizeGraph` under a named recipe, embeds the full SciFact corpus (23,330 chunks,
 * as `ingestDocuments` chunks it) and all its queries, and reports dense nDCG@10 on the test (300) and
 * train (809) queries (documents ranked by their best chunk, exact scan) and the cosine to the fp32
 * vectors. With `--speed`, times the recipes against fp32 instead (interleaved rounds; wall and CPU time).
 *
 *   nice -n 15 npx tsx bench/scout-int8-recipes.ts r8ffn0 [--batch 8] [--limit 1500]
 *   flock /work/.coord/bench.lock npx tsx bench/scout-int8-recipes.ts --speed fp32 r7 r8ffn0 [--chunks 600 --rounds 2]
 *
 * Recipes: `r7` (sift's `--dtype int8`: per-channel 7-bit weights, every weight MatMul int8), `r8`
 * (8-bit weights), `r7ffn` / `r8ffn` (all six FFN output projections left fp32), `r7ffn<layers>` /
 * `r8ffn<layers>` (those layers' FFN output projections fp32, e.g. `r8ffn0`), and every name
 * bench/support/int8-recipes.ts builds (`+stt`: static ranges, as the scout's). 8-bit weights are safe
 * only where onnxruntime's u8s8 kernel does not saturate (AVX512-VNNI / AVX-VNNI); see bench/RESULTS.md.
 * fp32 vectors come from the real-vectors cache (`SIFT_VECTOR_CACHE`); a recipe's full-corpus vectors
 * are cached in `--out` (default the same folder) as `scifact.<recipe>-b<batch>.{vectors,queries}.f32`,
 * the rewritten graphs under `<out>/recipe-models/<recipe>`. Each nDCG delta comes with its 95 % paired
 * bootstrap interval over queries. Needs `SIFT_SHARED` (or ../shared) for the model, data and qrels.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { readQrels } from '../src/eval/datasets/read-qrels.js';
import { bestChunkNdcg } from './support/best-chunk-ndcg.js';
import { recipeGraph } from './support/int8-recipes.js';
import { DIM, SCOUT, sharedRoot, vectorCacheDir } from './support/real-vectors.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batch: { type: 'string', default: '8' },
    limit: { type: 'string' },
    out: { type: 'string' },
    speed: { type: 'boolean', default: false },
    chunks: { type: 'string', default: '600' },
    rounds: { type: 'string', default: '2' },
  },
});
const scoutDir = join(sharedRoot(), 'models', 'Xenova', 'all-MiniLM-L6-v2');
const cache = vectorCacheDir();
const out = flags.out ?? cache;

/** A models root holding the scout with `name`'s rewritten graph as its fp32 file (tokenizer and config linked). */
async function recipeRoot(name: string): Promise<string> {
  if (name === 'fp32') return join(sharedRoot(), 'models');
  const root = join(out, 'recipe-models', name);
  const dir = join(root, 'Xenova', 'all-MiniLM-L6-v2');
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'])
      if (!existsSync(join(dir, f))) symlinkSync(join(scoutDir, f), join(dir, f));
    const r = await recipeGraph(
      name,
      readFileSync(join(scoutDir, 'onnx', 'model.onnx')),
      join(scoutDir, 'tokenizer.json'),
    );
    writeFileSync(join(dir, 'onnx', 'model.onnx'), r.bytes);
    console.log(`${name}: ${r.quantized} MatMuls int8, ${r.keptFloat} float`);
  }
  return root;
}

const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const lines = <T>(p: string): T[] =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
const chunks = lines<{ source: string; text: string }>(join(cache, 'scifact.chunks.jsonl'));
const queries = lines<{ id: string; text: string }>(join(cache, 'scifact.queries.jsonl'));
const embedder = async (name: string, batchSize: number) =>
  new OnnxEmbedder({ model: SCOUT, modelsDir: await recipeRoot(name), offline: true, dtype: 'fp32', batchSize });
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

if (flags.speed) {
  const n = Number(flags.chunks);
  const rounds = Number(flags.rounds);
  const texts = chunks.slice(5000, 5000 + n).map((c) => c.text);
  const names = positionals.includes('fp32') ? positionals : ['fp32', ...positionals];
  const models = Object.fromEntries(
    await Promise.all(names.map(async (r) => [r, await embedder(r, Number(flags.batch))] as const)),
  );
  for (const e of Object.values(models)) await e.embed(['warm up the session']);
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  console.log(`${n} SciFact chunks, ${rounds} interleaved rounds, batch ${flags.batch}; load ${load()}`);
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const t = performance.now();
      const c0 = process.cpuUsage();
      await models[name]!.embed(texts, { kind: 'passage' });
      const c = process.cpuUsage(c0);
      (wall[name] ??= []).push(n / ((performance.now() - t) / 1000));
      (cpu[name] ??= []).push(n / ((c.user + c.system) / 1e6));
    }
  }
  console.log(`load after ${load()}`);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  for (const name of names) {
    console.log(
      `${name}: wall ${wall[name]!.map((x) => x.toFixed(1)).join(' / ')} chunks/s (${(sum(wall[name]!) / sum(wall.fp32!)).toFixed(2)}x fp32); ` +
        `CPU ${cpu[name]!.map((x) => x.toFixed(1)).join(' / ')} chunks per CPU-second (${(sum(cpu[name]!) / sum(cpu.fp32!)).toFixed(2)}x fp32)`,
    );
  }
  for (const e of Object.values(models)) await e.close();
} else {
  const name = positionals[0];
  if (!name) throw new Error('name a recipe (r7, r8, r8ffn0, ...) or pass --speed');
  const batch = Number(flags.batch);
  const n = Math.min(Number(flags.limit ?? chunks.length), chunks.length);
  const full = n === chunks.length;
  const fpVectors = f32(join(cache, 'scifact.vectors.f32'));
  const fpQueries = f32(join(cache, 'scifact.queries.f32'));
  const tag = `${name}-b${batch}`;
  const vPath = join(out, `scifact.${tag}.vectors.f32`);
  const qPath = join(out, `scifact.${tag}.queries.f32`);
  let vectors: Float32Array;
  let queryVectors: Float32Array;
  if (full && existsSync(vPath) && existsSync(qPath)) {
    vectors = f32(vPath);
    queryVectors = f32(qPath);
  } else {
    const e = await embedder(name, batch);
    vectors = new Float32Array(n * DIM);
    const t0 = performance.now();
    for (let i = 0; i < n; i += 512) {
      (
        await e.embed(
          chunks.slice(i, Math.min(n, i + 512)).map((c) => c.text),
          { kind: 'passage' },
        )
      ).forEach((v, j) => vectors.set(v, (i + j) * DIM));
      if ((i / 512) % 8 === 0)
        console.log(
          `${tag}: ${Math.min(n, i + 512)}/${n} chunks, ${(Math.min(n, i + 512) / ((performance.now() - t0) / 1000)).toFixed(1)} chunks/s, load ${load()}`,
        );
    }
    queryVectors = new Float32Array(queries.length * DIM);
    (
      await e.embed(
        queries.map((q) => q.text),
        { kind: 'query' },
      )
    ).forEach((v, j) => queryVectors.set(v, j * DIM));
    await e.close();
    if (full) {
      mkdirSync(out, { recursive: true });
      writeFileSync(vPath, new Uint8Array(vectors.buffer));
      writeFileSync(qPath, new Uint8Array(queryVectors.buffer));
    }
  }
  const cos = (a: Float32Array, b: Float32Array, rows: number) => {
    let sum = 0;
    let min = 1;
    for (let r = 0; r < rows; r++) {
      let c = 0;
      for (let j = 0; j < DIM; j++) c += a[r * DIM + j]! * b[r * DIM + j]!;
      sum += c;
      min = Math.min(min, c);
    }
    return `mean ${(sum / rows).toFixed(5)} min ${min.toFixed(4)}`;
  };
  console.log(
    `${tag}: cosine to fp32, chunks (${n}) ${cos(fpVectors, vectors, n)}; queries ${cos(fpQueries, queryVectors, queries.length)}`,
  );
  if (full) {
    for (const split of ['test', 'train']) {
      const qrels = await readQrels(join(sharedRoot(), 'data', 'scifact', 'qrels', `${split}.tsv`));
      const judged = queries.map((q) => qrels.get(q.id));
      const sources = chunks.map((c) => c.source);
      const ndcg = (cv: Float32Array, qv: Float32Array): number[] =>
        bestChunkNdcg(cv, sources, qv, judged).filter((x): x is number => x !== undefined);
      const fp = ndcg(fpVectors, fpQueries);
      const q8 = ndcg(vectors, queryVectors);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const deltas = q8.map((v, i) => v - fp[i]!);
      // 95 % paired bootstrap interval of the mean delta (10,000 resamples, seeded LCG: reproducible).
      let seed = 12345;
      const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      const means = Array.from({ length: 10_000 }, () => {
        let t = 0;
        for (let i = 0; i < deltas.length; i++) t += deltas[Math.floor(next() * deltas.length)]!;
        return t / deltas.length;
      }).sort((a, b) => a - b);
      const changed = deltas.filter((d) => Math.abs(d) > 1e-9).length;
      console.log(
        `${tag}: SciFact ${split} (${fp.length} queries) nDCG@10 fp32 ${mean(fp).toFixed(4)}, ${tag} ${mean(q8).toFixed(4)}, delta ${mean(deltas).toFixed(4)} ` +
          `(95 % paired bootstrap ${means[249]!.toFixed(4)} .. ${means[9749]!.toFixed(4)}; ${changed} queries changed)`,
      );
    }
  }
}
