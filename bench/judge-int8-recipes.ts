/**
 * Which int8 recipe keeps a trained cross-encoder's rankings (issue 19)? Rewrites the fp32 graph of a
 * real model with `quantizeGraph` under a named recipe, scores (query, candidate) pairs with it, and
 * reports agreement with fp32: Spearman (pooled, per-query median), mean |score difference|, nDCG@10 of
 * the candidates re-ranked by each and the delta with its 95 % paired bootstrap interval over queries.
 *
 *   nice -n 15 npx tsx bench/judge-int8-recipes.ts --set dbpedia --model judge r7 r8 r8ffn0
 *   nice -n 15 npx tsx bench/judge-int8-recipes.ts --set scifact --size 300x50 --model scout r8ffn0
 *
 * `--model judge` is the sift-lab judge (`sift-lab/minilm-l6-judge`: trained on this machine, weak; only
 * for agreement, only on SciFact test and the DBpedia subset); `--model scout` the real all-MiniLM-L6-v2
 * network, scored as in bench/int8-agreement.bench.ts (query-passage cosine). `--set scifact` (test split)
 * or `dbpedia` (the DBpedia-entity subset); candidates from idf-weighted term overlap, `--size`
 * queries x candidates (default 300x50: every judged query). Pairs are scored one a batch (the
 * default of per-batch-range int8; static-range recipes score the same at any batch). Recipes: `r7` (sift's `--dtype int8` until now: per-channel 7-bit weights, every weight
 * MatMul int8), `r8` (8-bit weights), `<r7|r8>ffn<layers>` (those layers' FFN output projections left in
 * float32, `ffn` alone = all six), `-keep-<class><layers>` / `-only-...` (see `recipe`), and `+sq<alpha %>`
 * (SmoothQuant-style smoothing of the int8 MatMul inputs of hidden width from sift's calibration pairs,
 * e.g. `r8+sq50`; `+sqa<alpha %>` smooths the FFN's GELU outputs too; `c` after `sq`/`sqa` never scales a channel up;
 * `+st` static activation ranges calibrated on sift's pairs, as `--dtype int8` now runs: `r7+st`).
 * fp32 and recipe scores are cached in `--out` (default /work/.coord/cache/i19/recipes or
 * `.cache/judge-int8-recipes`), so each recipe costs one int8 pass. Needs ../shared (or SIFT_SHARED).
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { ndcgAtK } from '../src/eval/metrics/ndcg-at-k.js';
import { CrossEncoderReranker } from '../src/reranking/cross-encoder.js';
import { recipeGraph } from './support/int8-recipes.js';
import { repoRoot } from './support/models.js';
import { sharedRoot } from './support/real-vectors.js';
import { spearman } from './support/rank-agreement.js';
import { scifactCandidates, type CandidateSet } from './support/scifact.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    set: { type: 'string', default: 'dbpedia' },
    model: { type: 'string', default: 'judge' },
    size: { type: 'string', default: '300x50' },
    out: { type: 'string' },
  },
});

const MODELS = { judge: 'sift-lab/minilm-l6-judge', scout: 'Xenova/all-MiniLM-L6-v2' } as const;
const SETS = { scifact: 'scifact', dbpedia: 'dbpedia-entity-subset' } as const;
const modelKey = flags.model as keyof typeof MODELS;
const setKey = flags.set as keyof typeof SETS;
if (!(modelKey in MODELS)) throw new Error(`--model judge or scout, not ${flags.model}`);
if (!(setKey in SETS)) throw new Error(`--set scifact or dbpedia, not ${flags.set}`);
const sized = /^(\d+)x(\d+)$/.exec(flags.size);
if (!sized) throw new Error(`--size <queries>x<candidates>, not ${flags.size}`);
const modelName = MODELS[modelKey];
const modelDir = join(sharedRoot(), 'models', modelName);
const out =
  flags.out ??
  (existsSync('/work/.coord/cache/i19')
    ? '/work/.coord/cache/i19/recipes'
    : join(repoRoot(), '.cache', 'judge-int8-recipes'));
mkdirSync(out, { recursive: true });

/** A models root holding the model with `name`'s rewritten graph as its fp32 file (tokenizer and config linked). */
async function recipeRoot(name: string): Promise<string> {
  if (name === 'fp32') return join(sharedRoot(), 'models');
  const root = join(out, 'models', name);
  const dir = join(root, modelName);
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'])
      if (!existsSync(join(dir, f)) && existsSync(join(modelDir, f))) symlinkSync(join(modelDir, f), join(dir, f));
    const r = await recipeGraph(
      name,
      readFileSync(join(modelDir, 'onnx', 'model.onnx')),
      join(modelDir, 'tokenizer.json'),
    );
    writeFileSync(join(dir, 'onnx', 'model.onnx'), r.bytes);
    console.log(`${name}: ${r.quantized} MatMuls int8, ${r.keptFloat} float`);
  }
  return root;
}

async function score(name: string, sets: CandidateSet[]): Promise<number[][]> {
  const modelsDir = await recipeRoot(name);
  const scores: number[][] = [];
  if (modelKey === 'judge') {
    // fp32 at its default batches (scores do not depend on them); recipes one pair a batch, as int8 runs.
    const judge = new CrossEncoderReranker({
      model: modelName,
      modelsDir,
      offline: true,
      dtype: 'fp32',
      ...(name === 'fp32' ? {} : { batchSize: 1 }),
    });
    for (const set of sets) scores.push(Array.from((await judge.scorePairs(set.query, set.texts)).logits));
    await judge.close();
  } else {
    const scout = new OnnxEmbedder({
      model: modelName,
      modelsDir,
      offline: true,
      dtype: 'fp32',
      ...(name === 'fp32' ? {} : { batchSize: 1 }),
    });
    for (const set of sets) {
      const [query] = await scout.embed([set.query], { kind: 'query' });
      const passages = await scout.embed(set.texts);
      scores.push(passages.map((p) => p.reduce((sum, x, i) => sum + x * query![i]!, 0)));
    }
    await scout.close();
  }
  return scores;
}

async function cachedScores(name: string, sets: CandidateSet[]): Promise<number[][]> {
  const file = join(out, `${setKey}-${modelKey}-${flags.size}.${name}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as number[][];
  const t = performance.now();
  const scores = await score(name, sets);
  writeFileSync(file, JSON.stringify(scores));
  console.log(`${name}: scored in ${((performance.now() - t) / 1000).toFixed(0)} s (load ${load()})`);
  return scores;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** mulberry32: a small seeded generator, so intervals are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const [queries, perQuery] = [Number(sized[1]), Number(sized[2])];
const { sets: all, qrels } = await scifactCandidates({
  queries,
  perQuery,
  dir: join(sharedRoot(), 'data', SETS[setKey]),
});
const sets = all.filter((s) => qrels.get(s.queryId)?.size);
console.log(`${setKey}: ${sets.length} judged queries x ${perQuery} candidates; ${modelName}; load ${load()}`);
const fp32 = await cachedScores('fp32', sets);
const rankBy = (ids: string[], s: number[]): string[] =>
  ids
    .map((id, i) => ({ id, s: s[i]!, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.id);
const ndcgs = (scores: number[][]): number[] =>
  sets.map((s, i) => ndcgAtK(rankBy(s.ids, scores[i]!), qrels.get(s.queryId)!, 10));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const base = mean(sets.map((s) => ndcgAtK(s.ids, qrels.get(s.queryId)!, 10)));
const fpNdcg = ndcgs(fp32);
console.log(`nDCG@10 base ${base.toFixed(4)}, fp32 re-ranked ${mean(fpNdcg).toFixed(4)}`);
for (const name of positionals) {
  const q = await cachedScores(name, sets);
  const pooled = spearman(fp32.flat(), q.flat());
  const per = sets.map((_, i) => spearman(fp32[i]!, q[i]!)).filter((x) => !Number.isNaN(x));
  per.sort((a, b) => a - b);
  const diff = mean(fp32.flat().map((x, i) => Math.abs(x - q.flat()[i]!)));
  const qNdcg = ndcgs(q);
  const deltas = qNdcg.map((x, i) => x - fpNdcg[i]!);
  const delta = mean(deltas);
  const rand = mulberry32(42);
  const boots: number[] = [];
  for (let r = 0; r < 10_000; r++) {
    let sum = 0;
    for (let j = 0; j < deltas.length; j++) sum += deltas[Math.floor(rand() * deltas.length)]!;
    boots.push(sum / deltas.length);
  }
  boots.sort((a, b) => a - b);
  const changed = deltas.filter((d) => d !== 0).length;
  const passes = pooled >= 0.99 && Math.abs(delta) <= 0.005;
  console.log(
    `${setKey} ${modelKey} ${name}: Spearman pooled ${pooled.toFixed(4)}, per-query median ${per[per.length >> 1]!.toFixed(4)}, ` +
      `mean |diff| ${diff.toFixed(4)}; nDCG@10 ${mean(qNdcg).toFixed(4)} (${delta >= 0 ? '+' : ''}${delta.toFixed(4)}, ` +
      `95 % ${boots[250]!.toFixed(4)} .. ${boots[9750]!.toFixed(4)}, ${changed} of ${deltas.length} queries changed); ` +
      `bar ${passes ? 'yes' : 'no'}`,
  );
}
