/**
 * The same pairs scored the straightforward transformers.js way — `AutoTokenizer` +
 * `AutoModelForSequenceClassification` on the same model folder, all 20 pairs of a query in one
 * padded batch, fp32, onnxruntime's default session options — against sift's judge, interleaved in
 * one process, reported as throughput ratios sift / baseline. The rankings are compared too: the
 * speed-up only counts at equal ranking.
 */
import { CrossEncoderReranker } from '../src/reranking/cross-encoder.js';
import { DEFAULT_RERANK_BATCH_SIZE } from '../src/reranking/cross-encoder.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { benchJudge } from './support/judges.js';
import { JUDGE_MODEL, modelFolder, stageForTransformersJs } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { interleaveTimes, median, pairedRatio, round } from './support/stats.js';
import { spearman } from './support/rank-agreement.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const CANDIDATES = 20;

const suite: BenchSuite = {
  name: 'baseline-transformersjs',
  title: 'sift judge against the straightforward transformers.js way (one padded fp32 batch), same pairs, same run',
  async run({ quick, log }) {
    const folder = modelFolder(JUDGE_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    const queries = quick ? 3 : 24;
    const { sets } = await scifactCandidates({ queries, perQuery: CANDIDATES });

    const { AutoTokenizer, AutoModelForSequenceClassification, env } = await import('@huggingface/transformers');
    env.localModelPath = await stageForTransformersJs(JUDGE_MODEL);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    const tokenizer = await AutoTokenizer.from_pretrained(JUDGE_MODEL);
    const model = await AutoModelForSequenceClassification.from_pretrained(JUDGE_MODEL, {
      dtype: 'fp32',
      device: 'cpu',
    });
    const baseline = async (query: string, texts: readonly string[]): Promise<number[]> => {
      const inputs = tokenizer(new Array<string>(texts.length).fill(query), {
        text_pair: [...texts],
        padding: true,
        truncation: true,
      });
      const { logits } = (await model(inputs)) as { logits: { data: Float32Array } };
      return Array.from(logits.data);
    };

    // sift at its defaults (threads: onnxruntime's choice): fp32, q8 (the repository's int8 file) and int8 (sift's own).
    const judges: Record<string, { dtype: ModelDtype; judge: CrossEncoderReranker }> = {
      'sift fp32': { dtype: 'fp32', judge: benchJudge('fp32') },
      'sift q8': { dtype: 'q8', judge: benchJudge('q8') },
      'sift int8': { dtype: 'int8', judge: benchJudge('int8') },
    };
    const siftScores = async (
      judge: CrossEncoderReranker,
      query: string,
      texts: readonly string[],
    ): Promise<number[]> => Array.from((await judge.scorePairs(query, texts)).logits);

    // Equal ranking, and warm-up: every query once through each.
    log('rankings');
    const agreement: Record<string, number[]> = { 'sift fp32': [], 'sift q8': [], 'sift int8': [] };
    const maxDiff: number[] = [];
    for (const set of sets) {
      const base = await baseline(set.query, set.texts);
      for (const [name, { judge }] of Object.entries(judges)) {
        const mine = await siftScores(judge, set.query, set.texts);
        agreement[name]!.push(spearman(base, mine));
        if (name === 'sift fp32') maxDiff.push(Math.max(...mine.map((l, i) => Math.abs(l - base[i]!))));
      }
    }

    log(`latency: ${queries} queries x ${CANDIDATES} candidates, interleaved`);
    const counters = new Map<string, number>();
    const nextSet = (key: string) => {
      const i = counters.get(key) ?? 0;
      counters.set(key, i + 1);
      return sets[i % sets.length]!;
    };
    // Typed as a record of any names, so the times come back indexable by each judge's name.
    const runs: Record<string, () => Promise<unknown>> = {
      'transformers.js fp32': () => {
        const s = nextSet('b');
        return baseline(s.query, s.texts);
      },
      ...Object.fromEntries(
        Object.entries(judges).map(([name, { judge }]) => [
          name,
          () => {
            const s = nextSet(name);
            return judge.rerank(s.query, s.texts);
          },
        ]),
      ),
    };
    const measured = await interleaveTimes(runs, queries);
    const times = measured.wall;
    const figures: BenchFigure[] = [];
    const baseTimes = times['transformers.js fp32']!;
    figures.push({
      metric: 'baseline.throughput',
      model: JUDGE_MODEL,
      dtype: 'fp32',
      batchSize: CANDIDATES,
      params: { runner: '@huggingface/transformers AutoModelForSequenceClassification' },
      value: round((CANDIDATES * 1000) / median(baseTimes)),
      unit: 'pairs/s',
      note: `${CANDIDATES} pairs in one padded batch, onnxruntime defaults; median of ${queries}`,
    });
    for (const [name, { dtype }] of Object.entries(judges)) {
      const t = times[name]!;
      const common = { model: JUDGE_MODEL, dtype, batchSize: DEFAULT_RERANK_BATCH_SIZE };
      figures.push({
        ...common,
        metric: 'judge.throughput',
        value: round((CANDIDATES * 1000) / median(t)),
        unit: 'pairs/s',
        note: `sift rerank() at its defaults, median of ${queries}`,
      });
      figures.push({
        ...common,
        metric: 'judge.speedupOverBaseline',
        value: round(pairedRatio(baseTimes, t)),
        unit: 'ratio',
        note: 'sift / transformers.js throughput, median of per-round ratios (wall clock)',
      });
      figures.push({
        ...common,
        metric: 'judge.cpuSpeedupOverBaseline',
        value: round(pairedRatio(measured.cpu['transformers.js fp32']!, measured.cpu[name]!)),
        unit: 'ratio',
        note: 'the same on process CPU time (the work each way costs, spinning threads included)',
      });
      figures.push({
        ...common,
        metric: 'judge.rankAgreementWithBaseline',
        value: round(median(agreement[name]!)),
        unit: 'Spearman',
        note: `median over ${sets.length} queries of the rank correlation of the ${CANDIDATES} scores`,
      });
    }
    figures.push({
      model: JUDGE_MODEL,
      dtype: 'fp32',
      metric: 'judge.maxLogitDifferenceFromBaseline',
      value: Number(Math.max(...maxDiff).toExponential(2)),
      unit: 'logit',
      note: 'largest |sift - transformers.js| logit over all pairs',
    });
    for (const { judge } of Object.values(judges)) await judge.close();
    return {
      figures,
      notes: [
        `${JUDGE_MODEL} has random weights: its rankings carry no relevance, so q8 agreement here says nothing about q8 on real weights (see int8-agreement).`,
        'transformers.js reads the same ONNX files through symlinks (.cache/bench/transformersjs-models) with a tokenizer_config.json it requires; env.allowRemoteModels = false.',
      ],
    };
  },
};

export default suite;
