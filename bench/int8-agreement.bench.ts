/**
 * Whether int8 weights rank like fp32 ones, on real weights only (random-weight models rank nothing):
 * Spearman correlation of q8 against fp32 scores on SciFact (query, candidate) pairs, and nDCG@10 of the
 * candidate order before re-ranking and after re-ranking with each ("base -> re-ranked").
 *
 * Two parts, each run when its real model (with both `onnx/model.onnx` and `onnx/model_quantized.onnx`)
 * is found under `SIFT_MODELS_DIR` or `../shared/models`, and skipped saying where it looked otherwise:
 * - the judge (`SIFT_BENCH_JUDGE`, default Xenova/ms-marco-MiniLM-L-6-v2): its logits;
 * - the scout (`SIFT_BENCH_SCOUT`, default sentence-transformers/all-MiniLM-L6-v2): the cosine of query
 *   and passage embeddings. It is the same MiniLM-L6-H384 network (same pre-trained start, same
 *   shapes), so it shows what int8 does to that network's rankings when only its weights are at hand.
 * Issue 8's bar: Spearman >= 0.99 and nDCG@10 within 0.005 of fp32.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelsDirsFromEnv } from '../src/config/env.js';
import { OnnxEmbedder } from '../src/embedding/onnx-embedder.js';
import { ndcgAtK } from '../src/eval/metrics/ndcg-at-k.js';
import { ONNX_FILE } from '../src/models/model-files.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { CrossEncoderReranker } from '../src/reranking/cross-encoder.js';
import { repoRoot } from './support/models.js';
import { spearman } from './support/rank-agreement.js';
import { scifactCandidates, scifactDir, type CandidateSet } from './support/scifact.js';
import { round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';
import type { Qrels } from '../src/eval/types.js';

/** The folder of a real model with its fp32 graph, and the int8 dtypes to compare with it, or why there is none. */
function realModel(
  envVar: string,
  fallback: string,
): { dir: string; name: string; dtypes: ModelDtype[] } | { missing: string } {
  const name = process.env[envVar] ?? fallback;
  const roots = [...modelsDirsFromEnv(), join(repoRoot(), '..', 'shared', 'models')];
  for (const root of roots) {
    const dir = resolve(root, name);
    // int8 (sift's quantization) needs only the fp32 graph; q8 is compared when the repository ships it.
    if (existsSync(join(dir, ONNX_FILE.fp32)))
      return { dir, name, dtypes: existsSync(join(dir, ONNX_FILE.q8)) ? ['q8', 'int8'] : ['int8'] };
  }
  return {
    missing:
      `no real weights for ${name}: none of ${roots.map((r) => join(r, name)).join(', ')} has ${ONNX_FILE.fp32} ` +
      `(random-weight models cannot say whether int8 ranks like fp32; set SIFT_MODELS_DIR, or ${envVar}=<org/name>)`,
  };
}

/** Scores of every candidate of every set, per dtype. */
type Scorer = (dtype: ModelDtype, sets: CandidateSet[]) => Promise<number[][]>;

const judgeScores =
  (dir: string): Scorer =>
  async (dtype, sets) => {
    const judge = new CrossEncoderReranker({ model: dir, dtype, offline: true });
    const out: number[][] = [];
    for (const set of sets) out.push(Array.from((await judge.scorePairs(set.query, set.texts)).logits));
    await judge.close();
    return out;
  };

export const scoutScores =
  (dir: string): Scorer =>
  async (dtype, sets) => {
    const scout = new OnnxEmbedder({ model: dir, dtype, offline: true });
    const out: number[][] = [];
    for (const set of sets) {
      const [query] = await scout.embed([set.query], { kind: 'query' });
      const passages = await scout.embed(set.texts);
      out.push(passages.map((p) => p.reduce((sum, x, i) => sum + x * query![i]!, 0)));
    }
    await scout.close();
    return out;
  };

/** Agreement figures of one model and one int8 dtype against fp32: Spearman (pooled, median per query) and nDCG@10 of each. */
export function agreement(
  model: string,
  dtype: ModelDtype,
  scores: { fp32: number[][]; quantized: number[][] },
  sets: CandidateSet[],
  qrels: Qrels,
): { figures: BenchFigure[]; passes: boolean } {
  const perQuery = sets.map((_, i) => spearman(scores.fp32[i]!, scores.quantized[i]!)).filter((x) => !Number.isNaN(x));
  const pooled = spearman(scores.fp32.flat(), scores.quantized.flat());
  const rankBy = (ids: string[], s: number[]): string[] =>
    ids
      .map((id, i) => ({ id, s: s[i]!, i }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.id);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const judged = sets.map((s, i) => ({ s, i })).filter(({ s }) => qrels.get(s.queryId)?.size);
  const ndcg = (order: (s: CandidateSet, i: number) => string[]): number =>
    mean(judged.map(({ s, i }) => ndcgAtK(order(s, i), qrels.get(s.queryId)!, 10)));
  const base = ndcg((s) => s.ids);
  const fp32 = ndcg((s, i) => rankBy(s.ids, scores.fp32[i]!));
  const q8 = ndcg((s, i) => rankBy(s.ids, scores.quantized[i]!));
  const medianSpearman = perQuery.sort((a, b) => a - b)[perQuery.length >> 1]!;
  const common = { model, dtype };
  return {
    passes: pooled >= 0.99 && Math.abs(q8 - fp32) <= 0.005,
    figures: [
      {
        ...common,
        metric: 'int8.spearman.pooled',
        value: round(pooled),
        unit: 'Spearman',
        params: { pairs: scores.fp32.flat().length },
        note: `${dtype} vs fp32 scores over all pairs`,
      },
      {
        ...common,
        metric: 'int8.spearman.perQueryMedian',
        value: round(medianSpearman),
        unit: 'Spearman',
        note: `median over ${perQuery.length} queries`,
      },
      {
        ...common,
        metric: 'nDCG@10',
        value: round(q8),
        unit: 'nDCG@10',
        params: { base: round(base), fp32: round(fp32) },
        note: `base -> re-ranked: ${base.toFixed(4)} -> ${q8.toFixed(4)} (fp32 ${fp32.toFixed(4)})`,
      },
      {
        ...common,
        metric: 'nDCG@10.minusFp32',
        value: Number((q8 - fp32).toFixed(4)),
        unit: 'nDCG@10',
        note: 'issue 8 bar: |difference| <= 0.005',
      },
    ],
  };
}

const suite: BenchSuite = {
  name: 'int8-agreement',
  title: 'int8 (q8) against fp32 on real weights: Spearman of scores, nDCG@10 base -> re-ranked (SciFact test)',
  async run({ quick, log }) {
    const parts = [
      { what: 'judge', found: realModel('SIFT_BENCH_JUDGE', 'Xenova/ms-marco-MiniLM-L-6-v2'), scorer: judgeScores },
      {
        what: 'scout',
        found: realModel('SIFT_BENCH_SCOUT', 'sentence-transformers/all-MiniLM-L6-v2'),
        scorer: scoutScores,
      },
    ];
    const missing = parts.flatMap((p) => ('missing' in p.found ? [`${p.what}: ${p.found.missing}`] : []));
    if (missing.length === parts.length) return { figures: [], notes: [], skipped: missing.join('; ') };
    if (!scifactDir()) return { figures: [], notes: [], skipped: 'SciFact not found (set SIFT_BENCH_SCIFACT)' };
    // SIFT_BENCH_AGREEMENT=<queries>x<candidates> (e.g. 100x20) sizes a run between --quick (50x20) and full (300x50).
    const sized = /^(\d+)x(\d+)$/.exec(process.env.SIFT_BENCH_AGREEMENT ?? '');
    const queries = sized ? Number(sized[1]) : quick ? 50 : 300;
    const perQuery = sized ? Number(sized[2]) : quick ? 20 : 50;
    const { sets, qrels } = await scifactCandidates({ queries, perQuery });
    const judged = sets.filter((s) => qrels.get(s.queryId)?.size).length;
    const figures: BenchFigure[] = [];
    const notes = [
      `${judged} judged SciFact test queries, ${perQuery} candidates each from idf-weighted term overlap (not BM25: base nDCG@10 is that stage 1's, lower than BEIR's BM25 0.665).`,
      ...missing.map((m) => `Skipped ${m}`),
    ];
    for (const part of parts) {
      if ('missing' in part.found) continue;
      const { dir, name, dtypes } = part.found;
      log(`${part.what} ${name} fp32: ${sets.length} queries x ${perQuery} candidates`);
      const fp32 = await part.scorer(dir)('fp32', sets);
      for (const dtype of dtypes) {
        log(`${part.what} ${name} ${dtype}: ${sets.length} queries x ${perQuery} candidates`);
        const result = agreement(name, dtype, { fp32, quantized: await part.scorer(dir)(dtype, sets) }, sets, qrels);
        figures.push(...result.figures);
        notes.push(
          `${part.what} ${name} ${dtype} passes issue 8's bar: ${result.passes ? 'yes' : 'no'} (Spearman >= 0.99, |nDCG@10 ${dtype} - fp32| <= 0.005).`,
        );
      }
    }
    return { figures, notes };
  },
};

export default suite;
