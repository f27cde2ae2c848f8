/**
 * Each speed lever of the judge on and off, side by side in one process: the two (or more) variants
 * are loaded together and timed round-robin on the same candidate sets, so the ratio between them
 * survives load from other processes. A lever stays in sift only where this suite shows it pays;
 * bench/RESULTS.md records the decisions with these figures.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ONNX_FILE } from '../src/models/model-files.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { ScoreCache } from '../src/reranking/score-cache.js';
import { batchTensors, lengthSortedBatches } from '../src/runtime/batching.js';
import { ModelSession } from '../src/runtime/onnx-session.js';
import { loadTokenizer } from '../src/tokenization/load-tokenizer.js';
import { PairEncoder, type EncodedSequence } from '../src/tokenization/pair-encoder.js';
import { JUDGE_MODEL, modelFolder } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { interleaveTimes, median, pairedRatio, round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

type Options = ort.InferenceSession.SessionOptions;

/** sift's own session options (src/runtime/onnx-session.ts), the base every variant changes one thing of. */
const BASE: Options = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  enableMemPattern: false,
  executionMode: 'sequential',
  interOpNumThreads: 1,
};

async function session(file: string, options: Options): Promise<ModelSession> {
  return new ModelSession(file, await ort.InferenceSession.create(file, { ...BASE, ...options }));
}

/** Scores encoded pairs in batches: length-sorted (sift) or in input order (the unsorted control). */
async function score(
  s: ModelSession,
  pairs: readonly EncodedSequence[],
  batchSize: number,
  sorted = true,
): Promise<void> {
  const batches = sorted
    ? lengthSortedBatches(
        pairs.map((p) => p.ids.length),
        batchSize,
      )
    : Array.from({ length: Math.ceil(pairs.length / batchSize) }, (_, b) =>
        pairs.slice(b * batchSize, (b + 1) * batchSize).map((_, i) => b * batchSize + i),
      );
  for (const batch of batches)
    await s.run(
      batchTensors(
        s,
        batch.map((i) => pairs[i]!),
        0,
      ),
      ['logits'],
    );
}

const suite: BenchSuite = {
  name: 'levers',
  title:
    'Speed levers of the judge, each on and off side by side (length sorting, session options, threads, spinning, score cache)',
  async run({ quick, log }) {
    const folder = modelFolder(JUDGE_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    if (quick)
      return {
        figures: [],
        notes: [],
        skipped: 'not in --quick (about 4 minutes); run `npm run bench -- --only levers`',
      };
    const reps = 11;
    const { sets } = await scifactCandidates({ queries: reps, perQuery: 20 });
    const { tokenizer } = await loadTokenizer(join(folder.dir, 'tokenizer.json'));
    const encoder = new PairEncoder(tokenizer, 512);
    const encoded = sets.map((s) => {
      const q = encoder.encodeQuery(s.query);
      return s.texts.map((t) => encoder.encodePair(q, t));
    });
    const figures: BenchFigure[] = [];
    const notes: string[] = [];

    /** Times variants (each scoring one 20-candidate set per round), reports medians and ratios to the first. */
    // SIFT_BENCH_LEVERS=threads,lengthSortedBatches runs some levers only.
    const wanted = process.env.SIFT_BENCH_LEVERS?.split(',');
    const compare = async (
      lever: string,
      dtype: ModelDtype,
      threads: number,
      variants: Record<string, (pairs: readonly EncodedSequence[]) => Promise<unknown>>,
    ): Promise<void> => {
      if (wanted && !wanted.includes(lever)) return;
      log(`${lever} (${dtype}, ${threads} thread(s)): ${Object.keys(variants).join(' vs ')}`);
      const counters = new Map<string, number>();
      const next = (key: string): readonly EncodedSequence[] => {
        const i = counters.get(key) ?? 0;
        counters.set(key, i + 1);
        return encoded[i % encoded.length]!;
      };
      for (const run of Object.values(variants)) await run(encoded[0]!);
      const times = await interleaveTimes(
        Object.fromEntries(Object.entries(variants).map(([k, run]) => [k, () => run(next(k))])),
        reps,
      );
      const keys = Object.keys(variants);
      const first = keys[0]!;
      for (const key of keys) {
        figures.push({
          metric: `lever.${lever}`,
          model: JUDGE_MODEL,
          dtype,
          ...(threads > 0 ? { threads } : {}),
          params: {
            variant: key,
            cpuMs: round(median(times.cpu[key]!)),
            speedup: round(pairedRatio(times.wall[first]!, times.wall[key]!)),
            cpuSpeedup: round(pairedRatio(times.cpu[first]!, times.cpu[key]!)),
          },
          value: round(median(times.wall[key]!)),
          unit: 'ms',
          note: `20 candidates, median of ${reps} interleaved rounds`,
        });
      }
    };

    for (const dtype of ['fp32', 'q8'] as ModelDtype[]) {
      const file = join(folder.dir, ONNX_FILE[dtype]);
      // Length-sorted batches against input-order batches, batch 8 and 16.
      {
        const s = await session(file, { intraOpNumThreads: 1 });
        await compare('lengthSortedBatches', dtype, 1, {
          'sorted, batch 8': (p) => score(s, p, 8),
          'sorted, batch 4': (p) => score(s, p, 4),
          'input order, batch 8': (p) => score(s, p, 8, false),
          'sorted, batch 16': (p) => score(s, p, 16),
          'input order, batch 16': (p) => score(s, p, 16, false),
          'one batch of 20 (padded to the longest)': (p) => score(s, p, 20),
        });
        await s.release();
      }
      // Graph optimisation level, memory pattern, memory arena: one session per variant.
      const variants: Record<string, Options> = {
        'sift (all, memPattern off, arena on)': {},
        'graph optimisation basic': { graphOptimizationLevel: 'basic' },
        'graph optimisation extended': { graphOptimizationLevel: 'extended' },
        'memPattern on': { enableMemPattern: true },
        'cpu memory arena off': { enableCpuMemArena: false },
      };
      const sessions = Object.fromEntries(
        await Promise.all(
          Object.entries(variants).map(
            async ([k, o]) => [k, await session(file, { intraOpNumThreads: 1, ...o })] as const,
          ),
        ),
      );
      await compare(
        'sessionOptions',
        dtype,
        1,
        Object.fromEntries(Object.entries(sessions).map(([k, s]) => [k, (p) => score(s, p, 16)])),
      );
      for (const s of Object.values(sessions)) await s.release();

      // Threads and intra-op spinning (onnxruntime spins idle pool threads by default).
      const threadVariants: Record<string, Options> = {
        '1 thread': { intraOpNumThreads: 1 },
        '2 threads, spinning (onnxruntime default)': { intraOpNumThreads: 2 },
        '2 threads, no spinning': { intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' } } } },
      };
      const threadSessions = Object.fromEntries(
        await Promise.all(Object.entries(threadVariants).map(async ([k, o]) => [k, await session(file, o)] as const)),
      );
      await compare(
        'threads',
        dtype,
        0,
        Object.fromEntries(
          Object.entries(threadSessions).flatMap(([k, s]) =>
            [8, 16].map((b) => [`${k}, batch ${b}`, (p: readonly EncodedSequence[]) => score(s, p, b)]),
          ),
        ),
      );
      for (const s of Object.values(threadSessions)) await s.release();
    }

    // Score cache: what a lookup costs (hash of query + passage, LRU get/set), hit or miss, per pair,
    // beside what judging the pair costs; a miss pays the lookup on top of inference.
    {
      log('score cache');
      const cache = new ScoreCache({ maxEntries: 10_000 });
      const model = `${folder.dir}/q8/512`;
      const lookups = (set: (typeof sets)[number], fill: boolean): void => {
        for (const text of set.texts) {
          const key = ScoreCache.key(model, set.query, text);
          if (cache.get(key) === undefined && fill) cache.set(key, { logit: 0, score: 0.5, truncated: false });
        }
      };
      const rounds = 200;
      const start = performance.now();
      for (let r = 0; r < rounds; r++) for (const set of sets) lookups({ ...set, query: `${set.query} ${r}` }, true);
      const missUs = ((performance.now() - start) * 1000) / (rounds * sets.length * 20);
      const hitStart = performance.now();
      for (let r = 0; r < rounds; r++)
        for (const set of sets) lookups({ ...set, query: `${set.query} ${r % 10}` }, false);
      const hitUs = ((performance.now() - hitStart) * 1000) / (rounds * sets.length * 20);
      const judged = figures.find(
        (f) =>
          f.metric === 'lever.sessionOptions' &&
          f.dtype === 'q8' &&
          f.params?.variant === 'sift (all, memPattern off, arena on)',
      );
      const judgeUs = judged ? (judged.value * 1000) / 20 : Number.NaN;
      figures.push(
        {
          metric: 'lever.scoreCache.miss',
          value: round(missUs),
          unit: 'µs/pair',
          note: 'SHA-1 key, get, set (evicting at 10,000 entries)',
        },
        { metric: 'lever.scoreCache.hit', value: round(hitUs), unit: 'µs/pair', note: 'SHA-1 key and get' },
      );
      if (Number.isFinite(judgeUs)) {
        figures.push(
          {
            metric: 'lever.scoreCache.judge',
            model: JUDGE_MODEL,
            dtype: 'q8',
            threads: 1,
            value: round(judgeUs),
            unit: 'µs/pair',
            note: 'inference per pair for comparison (sessionOptions, sift row)',
          },
          {
            metric: 'lever.scoreCache.missOverhead',
            value: round(missUs / judgeUs),
            unit: 'fraction',
            note: 'miss cost / q8 inference per pair',
          },
        );
      }
    }
    notes.push(
      'Session-level levers run the same encoded pairs through onnxruntime sessions that differ in one option; the value is wall time, cpuMs the process CPU time (steadier under load for 1-thread variants).',
      'speedup / cpuSpeedup: median over rounds of (first variant / this variant), wall and CPU; > 1 is faster than the first variant, sift’s current choice.',
    );
    return { figures, notes };
  },
};

export default suite;
