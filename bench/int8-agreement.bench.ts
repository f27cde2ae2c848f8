/**
 * Whether int8 weights rank like fp32 ones: Spearman correlation of q8 against fp32 judge scores on
 * SciFact (query, candidate) pairs, and nDCG@10 of the candidate order before re-ranking and after
 * re-ranking with each ("base -> re-ranked"). Needs real weights: random-weight models rank nothing,
 * so the suite runs only when a real judge with both `onnx/model.onnx` and
 * `onnx/model_quantized.onnx` is found under `SIFT_MODELS_DIR` or `../shared/models`
 * (`SIFT_BENCH_JUDGE` names another folder than Xenova/ms-marco-MiniLM-L-6-v2), and says why when not.
 * Issue 8's bar: Spearman >= 0.99 and nDCG@10 within 0.005 of fp32.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelsDirsFromEnv } from '../src/config/env.js';
import { ndcgAtK } from '../src/eval/metrics/ndcg-at-k.js';
import { ONNX_FILE } from '../src/models/model-files.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { CrossEncoderReranker } from '../src/reranking/cross-encoder.js';
import { repoRoot } from './support/models.js';
import { spearman } from './support/rank-agreement.js';
import { scifactCandidates, scifactDir } from './support/scifact.js';
import { round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

function realJudge(): { dir: string; name: string } | { missing: string } {
  const name = process.env.SIFT_BENCH_JUDGE ?? 'Xenova/ms-marco-MiniLM-L-6-v2';
  const roots = [...modelsDirsFromEnv(), join(repoRoot(), '..', 'shared', 'models')];
  for (const root of roots) {
    const dir = resolve(root, name);
    if (existsSync(join(dir, ONNX_FILE.fp32)) && existsSync(join(dir, ONNX_FILE.q8))) return { dir, name };
  }
  return {
    missing:
      `no real judge weights: none of ${roots.map((r) => join(r, name)).join(', ')} has both ${ONNX_FILE.fp32} and ${ONNX_FILE.q8} ` +
      '(random-weight models cannot say whether int8 ranks like fp32; set SIFT_MODELS_DIR, or SIFT_BENCH_JUDGE=<org/name>)',
  };
}

const suite: BenchSuite = {
  name: 'int8-agreement',
  title: 'int8 (q8) against fp32 on real judge weights: Spearman of scores, nDCG@10 base -> re-ranked (SciFact test)',
  async run({ quick, log }) {
    const found = realJudge();
    if ('missing' in found) return { figures: [], notes: [], skipped: found.missing };
    if (!scifactDir()) return { figures: [], notes: [], skipped: 'SciFact not found (set SIFT_BENCH_SCIFACT)' };
    const queries = quick ? 50 : 300;
    const perQuery = quick ? 20 : 50;
    const { sets, qrels } = await scifactCandidates({ queries, perQuery });
    const scores: Record<ModelDtype, number[][]> = { fp32: [], q8: [] };
    for (const dtype of ['fp32', 'q8'] as ModelDtype[]) {
      log(`${found.name} ${dtype}: ${sets.length} queries x ${perQuery} candidates`);
      const judge = new CrossEncoderReranker({ model: found.dir, dtype, offline: true });
      for (const set of sets) scores[dtype].push(Array.from((await judge.scorePairs(set.query, set.texts)).logits));
      await judge.close();
    }
    const perQuerySpearman = sets.map((_, i) => spearman(scores.fp32[i]!, scores.q8[i]!)).filter((x) => !Number.isNaN(x));
    const pooled = spearman(scores.fp32.flat(), scores.q8.flat());
    const rankBy = (ids: string[], s: number[]): string[] => ids.map((id, i) => ({ id, s: s[i]!, i })).sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.id);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const judged = sets.filter((s) => qrels.get(s.queryId)?.size);
    const ndcg = (order: (s: (typeof sets)[number], i: number) => string[]): number =>
      mean(judged.map((s) => ndcgAtK(order(s, sets.indexOf(s)), qrels.get(s.queryId)!, 10)));
    const base = ndcg((s) => s.ids);
    const fp32 = ndcg((s, i) => rankBy(s.ids, scores.fp32[i]!));
    const q8 = ndcg((s, i) => rankBy(s.ids, scores.q8[i]!));
    const common = { model: found.name };
    const figures: BenchFigure[] = [
      { ...common, metric: 'int8.spearman.pooled', value: round(pooled), unit: 'Spearman', params: { pairs: scores.fp32.flat().length }, note: 'q8 vs fp32 logits over all pairs' },
      { ...common, metric: 'int8.spearman.perQueryMedian', value: round(perQuerySpearman.sort((a, b) => a - b)[perQuerySpearman.length >> 1]!), unit: 'Spearman', note: `median over ${perQuerySpearman.length} queries` },
      { ...common, metric: 'nDCG@10', dtype: 'fp32', value: round(fp32), unit: 'nDCG@10', params: { base: round(base) }, note: `base -> re-ranked: ${base.toFixed(4)} -> ${fp32.toFixed(4)}` },
      { ...common, metric: 'nDCG@10', dtype: 'q8', value: round(q8), unit: 'nDCG@10', params: { base: round(base) }, note: `base -> re-ranked: ${base.toFixed(4)} -> ${q8.toFixed(4)}` },
      { ...common, metric: 'nDCG@10.q8MinusFp32', value: Number((q8 - fp32).toFixed(4)), unit: 'nDCG@10', note: 'issue 8 bar: |difference| <= 0.005' },
    ];
    return {
      figures,
      notes: [
        `${judged.length} judged SciFact test queries, ${perQuery} candidates each from idf-weighted term overlap (not BM25: base nDCG@10 is that stage 1's, lower than BEIR's BM25 0.665).`,
        `Passes issue 8's bar: ${pooled >= 0.99 && Math.abs(q8 - fp32) <= 0.005 ? 'yes' : 'no'} (Spearman >= 0.99, |nDCG@10 q8 - fp32| <= 0.005).`,
      ],
    };
  },
};

export default suite;
