import type { RunResult } from './aggregate-run.js';
import type { PairSignificance } from './significance.js';
import type { PairedDifference } from './stats/paired-difference.js';
import type { Stage1Mode } from './types.js';

export type Verdict = 'rerank' | 'skip';

/** Why the verdict is what it is. */
export type VerdictReason = 'significant-gain' | 'not-significant' | 'worse' | 'over-budget';

/** The measured answer to "should I re-rank?" for one stage-1 mode. */
export interface RerankRecommendation {
  stage1: Stage1Mode;
  /** The stage-1 run. */
  base: string;
  /** The re-ranked run the verdict is about (see `recommendReranking` for how it is chosen). */
  run: string;
  reranker: string;
  candidates: number;
  /** The metric of the gain (P@4 by default). */
  metric: string;
  /** The metric of the stage-1 run: re-ranking pays most when it is low (below ~0.6). */
  baseline: number;
  /** Paired difference re-ranked - stage 1, with its interval and p-value. */
  gain: PairedDifference;
  /** What re-ranking adds per query: the re-ranking stage's p50 and p95, ms. */
  addedLatency: { p50: number; p95: number };
  /** Stage 1 plus re-ranking per query, ms. */
  totalLatency: { p50: number; p95: number };
  /** `--latency-budget-ms`, or null without one. */
  latencyBudgetMs: number | null;
  /** Total p95 within the budget (true without one). */
  withinBudget: boolean;
  verdict: Verdict;
  reason: VerdictReason;
  /** The one-line verdict, as the terminal prints it. */
  line: string;
}

export interface RecommendOptions {
  /** The metric of the gain (default `P@4`). */
  metric?: string;
  /** Total per-query p95 (stage 1 + re-ranking) a re-ranked run must stay within, ms. */
  latencyBudgetMs?: number | undefined;
}

const ms = (x: number): string => `${Math.round(x)}ms`;
const signed = (x: number, d = 2): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(d)}`;
const pText = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`);

/**
 * The "should I re-rank?" verdict for every stage-1 mode that has re-ranked runs.
 *
 * Which re-ranked run speaks for a mode: among its runs whose total p95 fits the latency budget (all
 * of them without a budget), the one with the largest mean gain on `metric` (ties: the faster); when
 * none fits, the fastest one, so the verdict says by how much it is over. The verdict is `rerank`
 * only for a significant gain (paired randomization p < alpha) within the budget; a non-significant
 * gain, a significant loss, or a run over the budget is `skip`. The seeds' rule of thumb (worth it
 * below ~0.6 baseline precision, not above ~0.8) is what the measured baseline and gain show; the
 * verdict itself is the measurement's.
 *
 * @param significance the `rerank` pairs of `pairSignificance`, holding `metric`
 * @example
 * recommendReranking(runs, significance, { latencyBudgetMs: 150 })[0].line;
 * // 'bm25 (P@4 0.51): re-rank with mini@20: +0.19 P@4 [+0.12, +0.26], p < 0.001, +84ms p50 / +120ms p95 — worth it'
 */
export function recommendReranking(
  runs: readonly RunResult[],
  significance: readonly PairSignificance[],
  options: RecommendOptions = {},
): RerankRecommendation[] {
  const metric = options.metric ?? 'P@4';
  const budget = options.latencyBudgetMs ?? null;
  const byName = new Map(runs.map((r) => [r.name, r]));
  const out: RerankRecommendation[] = [];
  const modes = [...new Set(runs.map((r) => r.stage1))];
  for (const mode of modes) {
    const base = runs.find((r) => r.stage1 === mode && r.reranker === null);
    if (base === undefined) continue;
    const options_ = significance
      .filter((s) => s.kind === 'rerank' && s.base === base.name && s.metrics[metric] !== undefined)
      .flatMap((s) => {
        const run = byName.get(s.other);
        return run === undefined || run.latency.rerank === null
          ? []
          : [{ run, gain: s.metrics[metric] as PairedDifference }];
      })
      .map((o) => ({ ...o, fits: budget === null || o.run.latency.total.p95 <= budget }));
    if (options_.length === 0) continue;
    const fitting = options_.filter((o) => o.fits);
    const chosen =
      fitting.length > 0
        ? [...fitting].sort(
            (a, b) => b.gain.delta - a.gain.delta || a.run.latency.total.p95 - b.run.latency.total.p95,
          )[0]!
        : [...options_].sort((a, b) => a.run.latency.total.p95 - b.run.latency.total.p95)[0]!;
    const { run, gain } = chosen;
    const rerank = run.latency.rerank!;
    const reason: VerdictReason = !chosen.fits
      ? 'over-budget'
      : !gain.significant
        ? 'not-significant'
        : gain.delta > 0
          ? 'significant-gain'
          : 'worse';
    const verdict: Verdict = reason === 'significant-gain' ? 'rerank' : 'skip';
    const baseline = base.metrics[metric] ?? Number.NaN;
    const figures = `${signed(gain.delta)} ${metric} [${signed(gain.low)}, ${signed(gain.high)}]`;
    const cost = `+${ms(rerank.p50)} p50 / +${ms(rerank.p95)} p95`;
    const head = `${mode} (${metric} ${baseline.toFixed(2)}): re-rank with ${run.reranker}@${run.candidates}: `;
    const tail =
      reason === 'significant-gain'
        ? `${figures}, ${pText(gain.p)}, ${cost} — worth it`
        : reason === 'not-significant'
          ? `${figures}, not significant (${pText(gain.p)}) at ${cost} — skip it`
          : reason === 'worse'
            ? `${figures}, ${pText(gain.p)}: re-ranking hurts, at ${cost} — skip it`
            : `${figures}${gain.significant ? '' : ' (not significant)'}, but total p95 ${ms(run.latency.total.p95)} is over the ${ms(budget ?? 0)} budget — skip it`;
    out.push({
      stage1: mode,
      base: base.name,
      run: run.name,
      reranker: run.reranker ?? '',
      candidates: run.candidates,
      metric,
      baseline,
      gain,
      addedLatency: { p50: round2(rerank.p50), p95: round2(rerank.p95) },
      totalLatency: { p50: round2(run.latency.total.p50), p95: round2(run.latency.total.p95) },
      latencyBudgetMs: budget,
      withinBudget: chosen.fits,
      verdict,
      reason,
      line: head + tail,
    });
  }
  return out;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
