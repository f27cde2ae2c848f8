/**
 * The judge's speed: rerank latency for 20 candidates of ~500 characters (p50/p95), and scoring
 * throughput at batch sizes 8/16/32/64, for fp32 and q8 weights on 1 and 2 intra-op threads.
 * All configurations are loaded at once and measured round-robin, so load from other processes
 * falls on all of them alike.
 */
import { DEFAULT_RERANK_BATCH_SIZE, type CrossEncoderReranker } from '../src/reranking/cross-encoder.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { benchJudge } from './support/judges.js';
import { JUDGE_MODEL, modelFolder } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { interleave, interleaveTimes, median, percentile, round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const DTYPES: ModelDtype[] = ['fp32', 'q8', 'int8'];
const THREADS = [1, 2];
const BATCH_SIZES = [4, 8, 16, 32, 64];

const suite: BenchSuite = {
  name: 'judge',
  title:
    'Judge latency (20 candidates of ~500 characters) and throughput by batch size (4–64), fp32 and q8, 1 and 2 threads',
  async run({ quick, log }) {
    const folder = modelFolder(JUDGE_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    const latencyQueries = quick ? 4 : 30;
    const throughputReps = quick ? 1 : 5;
    const { sets } = await scifactCandidates({ queries: Math.max(latencyQueries, throughputReps), perQuery: 64 });
    const judges = new Map<string, { dtype: ModelDtype; threads: number; judge: CrossEncoderReranker }>();
    for (const dtype of DTYPES)
      for (const threads of THREADS)
        judges.set(`${dtype}/${threads}`, { dtype, threads, judge: benchJudge(dtype, { threads }) });
    for (const { judge } of judges.values()) {
      await judge.rerank(sets[0]!.query, sets[0]!.texts.slice(0, 20));
      if (!quick) await judge.scorePairs(sets[0]!.query, sets[0]!.texts, { batchSize: 64 });
    }
    const figures: BenchFigure[] = [];

    log(`latency: ${latencyQueries} queries x 20 candidates, ${judges.size} configurations interleaved`);
    const tokenizeShare = new Map<string, number[]>();
    const counters = new Map<string, number>();
    const latency = await interleave(
      Object.fromEntries(
        [...judges].map(([key, { judge }]) => [
          key,
          async () => {
            const i = counters.get(key) ?? 0;
            counters.set(key, i + 1);
            const set = sets[i % sets.length]!;
            const r = await judge.rerank(set.query, set.texts.slice(0, 20), { topK: 4 });
            tokenizeShare.set(key, [...(tokenizeShare.get(key) ?? []), r.timings.tokenizeMs / r.timings.totalMs]);
          },
        ]),
      ),
      latencyQueries,
    );
    for (const [key, { dtype, threads }] of judges) {
      const t = latency[key]!;
      const common = { model: JUDGE_MODEL, dtype, threads, batchSize: DEFAULT_RERANK_BATCH_SIZE };
      figures.push({
        ...common,
        metric: 'judge.latency.p50',
        value: round(percentile(t, 50)),
        unit: 'ms',
        note: `rerank of 20 candidates, ${t.length} queries`,
      });
      figures.push({
        ...common,
        metric: 'judge.latency.p95',
        value: round(percentile(t, 95)),
        unit: 'ms',
        note: `rerank of 20 candidates, ${t.length} queries`,
      });
      figures.push({
        ...common,
        metric: 'judge.tokenizeShare',
        value: round(median(tokenizeShare.get(key)!)),
        unit: 'fraction',
        note: 'tokenizing and tensor building / total, median',
      });
    }

    // --quick: 32 candidates (batch 64 would equal batch 32, so it is left out).
    const candidates = quick ? 32 : 64;
    const batchSizes = quick ? BATCH_SIZES.filter((b) => b < 64) : BATCH_SIZES;
    log(`throughput: ${candidates} candidates per call, batch sizes ${batchSizes.join('/')}, ${throughputReps} rounds`);
    const variants: Record<string, () => Promise<unknown>> = {};
    for (const [key, { judge }] of judges) {
      for (const batchSize of batchSizes) {
        let i = 0;
        variants[`${key}/${batchSize}`] = () => {
          const set = sets[i++ % sets.length]!;
          return judge.scorePairs(set.query, set.texts.slice(0, candidates), { batchSize });
        };
      }
    }
    const measured = await interleaveTimes(variants, throughputReps);
    const throughput = measured.wall;
    for (const [key, { dtype, threads, judge }] of judges) {
      for (const batchSize of batchSizes) {
        const ms = median(throughput[`${key}/${batchSize}`]!);
        figures.push({
          model: JUDGE_MODEL,
          dtype,
          threads,
          batchSize,
          metric: 'judge.throughput',
          value: round((candidates * 1000) / ms),
          unit: 'pairs/s',
          params: { pairsPerCpuSecond: round((candidates * 1000) / median(measured.cpu[`${key}/${batchSize}`]!)) },
          note: `scorePairs of ${candidates} candidates, median of ${throughputReps}`,
        });
      }
      await judge.close();
    }
    return {
      figures,
      notes: [
        `Candidates: SciFact test claims with the title + abstract of the top documents by idf-weighted term overlap, cut to ~500 characters (${JUDGE_MODEL}, random weights: speed only).`,
        `Latency: \`rerank()\` wall time (tokenizing included), default batch size ${DEFAULT_RERANK_BATCH_SIZE}, ${latencyQueries} queries per configuration, configurations interleaved.`,
      ],
    };
  },
};

export default suite;
