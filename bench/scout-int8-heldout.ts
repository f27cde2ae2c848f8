/**
 * Does an int8 scout recipe rank like fp32 beyond SciFact? Embeds the five real corpora (SciFact, the
 * DBpedia-entity subset, classic CACM / CISI / Cranfield: the chunks and queries of the real-vectors
 * cache, `SIFT_VECTOR_CACHE`) with the real all-MiniLM-L6-v2 scout rewritten by a recipe, and reports
 * dense nDCG@10 (documents ranked by their best chunk, exact scan) against the cached fp32 vectors:
 * per set and split, and pooled over every query of every set, each delta with its 95 % paired
 * bootstrap interval and randomization p-value (`pairedDifference`, src/eval/stats). The held-out sets
 * are checks only: nothing is tuned on them.
 *
 *   nice -n 15 npx tsx bench/scout-int8-heldout.ts [--recipe scout] [--out DIR] [--corpora scifact,classic/cacm]
 *
 * Recipes: `scout` (sift's int8 scout recipe, `SCOUT_INT8_RECIPE`: 8-bit weights, layer 0's FFN output
 * projection fp32, static activation ranges), `r7` (the 7-bit all-int8 recipe with per-batch ranges of
 * sift 0.1's `--dtype int8`). The scout embeds through the product's int8 path (`dtype: 'int8'` with the
 * recipe; its int8 file cached under `--out`). The recipe's vectors are cached in `--out` (default
 * `<cache>/int8`) as `<corpus>.<recipe tag>-b8.{vectors,queries}.f32` (batch 8, the embedder's default,
 * 512 chunks per call as in bench/scout-int8-recipes.ts); a corpus whose two files exist is not
 * embedded again.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { readQrels } from '../src/eval/datasets/read-qrels.js';
import { pairedDifference } from '../src/eval/stats/paired-difference.js';
import {
  int8RecipeTag,
  SCOUT_INT8_RECIPE,
  SIFT_INT8_RECIPE,
  type Int8Recipe,
} from '../src/runtime/int8/int8-recipe.js';
import { bestChunkNdcg } from './support/best-chunk-ndcg.js';
import {
  DIM,
  readFloat32,
  readRealCorpus,
  REAL_CORPORA,
  SCOUT,
  sharedRoot,
  vectorCacheDir,
  type RealCorpus,
} from './support/real-vectors.js';

const { values: flags } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'scout' },
    out: { type: 'string' },
    corpora: { type: 'string', default: REAL_CORPORA.join(',') },
  },
});
const RECIPES: Record<string, Int8Recipe> = {
  scout: SCOUT_INT8_RECIPE,
  r7: SIFT_INT8_RECIPE,
};
const recipe = RECIPES[flags.recipe];
if (!recipe) throw new Error(`unknown recipe ${flags.recipe} (${Object.keys(RECIPES).join(', ')})`);
const cache = vectorCacheDir();
const out = flags.out ?? join(cache, 'int8');
const tag = `${int8RecipeTag(recipe)}-b8`;
const corpora = flags.corpora.split(',');
const stem = (corpus: string): string => corpus.replace(/\//g, '-');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function vectorsOf({
  corpus,
  chunks,
  queries,
}: RealCorpus): Promise<{ vectors: Float32Array; queryVectors: Float32Array }> {
  const vPath = join(out, `${stem(corpus)}.${tag}.vectors.f32`);
  const qPath = join(out, `${stem(corpus)}.${tag}.queries.f32`);
  if (existsSync(vPath) && existsSync(qPath))
    return { vectors: await readFloat32(vPath), queryVectors: await readFloat32(qPath) };
  const e = new OnnxEmbedder({
    model: SCOUT,
    modelsDir: join(sharedRoot(), 'models'),
    cacheDir: out,
    offline: true,
    dtype: 'int8',
    int8Recipe: recipe,
    batchSize: 8,
  });
  const vectors = new Float32Array(chunks.length * DIM);
  const t0 = performance.now();
  for (let i = 0; i < chunks.length; i += 512) {
    const slice = chunks.slice(i, i + 512).map((c) => c.text);
    (await e.embed(slice, { kind: 'passage' })).forEach((v, j) => vectors.set(v, (i + j) * DIM));
    const done = Math.min(chunks.length, i + 512);
    if ((i / 512) % 4 === 0 || done === chunks.length)
      console.log(
        `${corpus} ${tag}: ${done}/${chunks.length} chunks, ${(done / ((performance.now() - t0) / 1000)).toFixed(1)} chunks/s, load ${load()}`,
      );
  }
  const queryVectors = new Float32Array(queries.length * DIM);
  (
    await e.embed(
      queries.map((q) => q.text),
      { kind: 'query' },
    )
  ).forEach((v, j) => queryVectors.set(v, j * DIM));
  await e.close();
  mkdirSync(out, { recursive: true });
  writeFileSync(vPath, new Uint8Array(vectors.buffer));
  writeFileSync(qPath, new Uint8Array(queryVectors.buffer));
  return { vectors, queryVectors };
}

const fmt = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
const pooledBase: number[] = [];
const pooledOther: number[] = [];
const rows: string[] = [];
for (const corpus of corpora) {
  const real = await readRealCorpus(corpus, cache);
  const { vectors, queryVectors } = await vectorsOf(real);
  const { chunks, queries, vectors: fpVectors, queryVectors: fpQueries } = real;
  let cosSum = 0;
  for (let r = 0; r < chunks.length; r++) {
    let c = 0;
    for (let j = 0; j < DIM; j++) c += fpVectors[r * DIM + j]! * vectors[r * DIM + j]!;
    cosSum += c;
  }
  const qrelsDir = join(sharedRoot(), 'data', corpus, 'qrels');
  for (const split of ['test', 'train']) {
    const path = join(qrelsDir, `${split}.tsv`);
    if (!existsSync(path)) continue;
    const qrels = await readQrels(path);
    const judged = queries.map((q) => qrels.get(q.id));
    const sources = chunks.map((c) => c.source);
    const fp = bestChunkNdcg(fpVectors, sources, fpQueries, judged);
    const q8 = bestChunkNdcg(vectors, sources, queryVectors, judged);
    const scored = judged.flatMap((j, i) => (j ? [i] : []));
    const base = scored.map((i) => fp[i]!);
    const other = scored.map((i) => q8[i]!);
    pooledBase.push(...base);
    pooledOther.push(...other);
    const d = pairedDifference(base, other);
    rows.push(
      `| ${corpus} ${split} | ${chunks.length} | ${d.queries} | ${d.base.toFixed(4)} | ${d.other.toFixed(4)} | ${fmt(d.delta)} | ${fmt(d.low)} .. ${fmt(d.high)} | ${d.p.toFixed(3)} | ${(cosSum / chunks.length).toFixed(5)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
}
const pooled = pairedDifference(pooledBase, pooledOther);
rows.push(
  `| pooled | | ${pooled.queries} | ${pooled.base.toFixed(4)} | ${pooled.other.toFixed(4)} | ${fmt(pooled.delta)} | ${fmt(pooled.low)} .. ${fmt(pooled.high)} | ${pooled.p.toFixed(3)} | |`,
);
console.log(`\nrecipe ${flags.recipe} vs fp32, nDCG@10 (dense, exact scan); load ${load()}`);
console.log(
  '| set | chunks | queries | fp32 | int8 | delta | 95 % paired bootstrap | p | mean cosine to fp32 |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
);
console.log(rows.join('\n'));
