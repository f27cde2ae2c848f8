/**
 * This machine's measured matrix-multiply peak for MiniLM-sized shapes, and the judge's effective
 * GFLOP/s as a fraction of it. The peak is what onnxruntime's own CPU kernels reach on the judge's
 * projection shapes ([tokens, 384] x [384, 384] for Q/K/V/output, [tokens, 384] x [384, 1536] and
 * [tokens, 1536] x [1536, 384] for the feed-forward pair) with nothing else in the graph: no
 * attention, no LayerNorm, no padding, no tokenizer. The judge's FLOPs are counted on real tokens
 * (bench/support/bert-flops.ts), so the fraction charges padding and every non-matmul op to the judge.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxGraph } from '../tools/model-gen/onnx-graph.js';
import { SeededRandom } from '../tools/model-gen/seeded-random.js';
import { CrossEncoderReranker, DEFAULT_RERANK_BATCH_SIZE } from '../src/reranking/cross-encoder.js';
import { ONNX_FILE } from '../src/models/model-files.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { PairEncoder } from '../src/tokenization/pair-encoder.js';
import { loadTokenizer } from '../src/tokenization/load-tokenizer.js';
import { MINILM_L6, pairsFlops } from './support/bert-flops.js';
import { benchModelsRoot, JUDGE_MODEL, modelFolder } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { interleaveTimes, median, round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const H = MINILM_L6.hidden;
const I = MINILM_L6.intermediate;
/** The projection shapes of one layer and how many of each it has: [inner, outer, count]. */
const SHAPES: [number, number, number][] = [
  [H, H, 4],
  [H, I, 1],
  [I, H, 1],
];

/**
 * One MatMul of x [rows, k] by a constant [k, n], summed to one number: fp32 `MatMul`, or the int8
 * `MatMulInteger` (uint8 activations, int8 weights) that quantize_dynamic graphs run. The sum spares
 * copying the [rows, n] product to JavaScript on every run (a few megabytes, ~10 % of a run).
 */
function matmulGraph(k: number, n: number, kind: 'fp32' | 'int8'): Uint8Array {
  const g = new OnnxGraph(`matmul_${k}x${n}`);
  const random = new SeededRandom(k * 7 + n);
  let product: string;
  if (kind === 'fp32') {
    const x = g.input('x', 'float32', ['rows', k]);
    product = g.op('MatMul', [x, g.initializer('w', random.normal(k * n, 0.05), [k, n])]);
  } else {
    const x = g.input('x', 'uint8', ['rows', k]);
    const w = g.initializer(
      'w',
      Int8Array.from(random.normal(k * n, 40), (v) => Math.max(-127, Math.min(127, Math.round(v)))),
      [k, n],
    );
    product = g.op('MatMulInteger', [
      x,
      w,
      g.initializer('x_zero_point', Uint8Array.of(128), []),
      g.initializer('w_zero_point', Int8Array.of(0), []),
    ]);
  }
  g.output(g.op('ReduceSum', [product], { keepdims: 0 }, 'y'), kind === 'fp32' ? 'float32' : 'int32', []);
  return g.toModel({ opset: 17 });
}

/** One layer's projection mix as runnable MatMuls, each with its FLOPs and multiplicity. */
interface MixRun {
  shape: string;
  count: number;
  flops: number;
  run: () => Promise<unknown>;
}

async function projectionMix(kind: 'fp32' | 'int8', threads: number, rows: number): Promise<MixRun[]> {
  const runs: MixRun[] = [];
  for (const [k, n, count] of SHAPES) {
    const session = await ort.InferenceSession.create(matmulGraph(k, n, kind), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const x =
      kind === 'fp32'
        ? new ort.Tensor('float32', new SeededRandom(rows).normal(rows * k, 1), [rows, k])
        : new ort.Tensor(
            'uint8',
            Uint8Array.from({ length: rows * k }, (_, i) => (i * 131) % 256),
            [rows, k],
          );
    runs.push({ shape: `[${rows},${k}]x[${k},${n}]`, count, flops: 2 * rows * k * n, run: () => session.run({ x }) });
  }
  for (const r of runs) for (let i = 0; i < 3; i++) await r.run();
  return runs;
}

const suite: BenchSuite = {
  name: 'peak-gflops',
  title: "Measured matmul peak for MiniLM shapes, and the judge's effective GFLOP/s as a fraction of it",
  async run({ quick, log }) {
    const folder = modelFolder(JUDGE_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    const { sets } = await scifactCandidates({ queries: quick ? 3 : 9, perQuery: 64 });
    const tokenizer = (await loadTokenizer(join(folder.dir, 'tokenizer.json'))).tokenizer;
    const encoder = new PairEncoder(tokenizer, 512);
    const lengths = sets.map((s) => {
      const q = encoder.encodeQuery(s.query);
      return s.texts.map((t) => encoder.encodePair(q, t).ids.length);
    });
    const tokensPerSet = lengths.map((l) => l.reduce((a, b) => a + b, 0));
    // Peak rows: the tokens of one batch at the judge's default batch size.
    const rows = Math.round((tokensPerSet[0]! / 64) * DEFAULT_RERANK_BATCH_SIZE);
    // --quick: the judge on 32 candidates per query instead of 64.
    const candidates = quick ? 32 : 64;
    const figures: BenchFigure[] = [];
    const notes: string[] = [];
    const reps = quick ? 3 : 9;
    for (const dtype of ['fp32', 'q8'] as ModelDtype[]) {
      const kind = dtype === 'fp32' ? 'fp32' : 'int8';
      for (const threads of [1, 2]) {
        log(`${dtype} ${threads} thread(s)`);
        const mix = await projectionMix(kind, threads, rows);
        const judge = new CrossEncoderReranker({
          model: JUDGE_MODEL,
          modelsDir: benchModelsRoot(),
          offline: true,
          dtype,
          session: { threads },
        });
        // The judge at its defaults (batch size included), on the query's candidates.
        let n = 0;
        const judgeFlops: number[] = [];
        const judgeRun = async (): Promise<void> => {
          const set = n++ % sets.length;
          judgeFlops.push(pairsFlops(MINILM_L6, lengths[set]!.slice(0, candidates)));
          await judge.scorePairs(sets[set]!.query, sets[set]!.texts.slice(0, candidates), {
            batchSize: DEFAULT_RERANK_BATCH_SIZE,
          });
        };
        await judgeRun();
        judgeFlops.length = 0;
        // Peak and judge interleaved, so both see the same load from other processes.
        const variants: Record<string, () => Promise<unknown>> = {
          judge: judgeRun,
          ...Object.fromEntries(mix.map((r) => [r.shape, r.run])),
        };
        const measured = await interleaveTimes(variants, reps);
        const times = measured.wall;
        await judge.close();
        const perShape = mix.map((r) => [r.shape, round(r.flops / 1e9 / (median(times[r.shape]!) / 1000))] as const);
        const mixFlops = mix.reduce((s, r) => s + r.count * r.flops, 0);
        const mixSeconds = mix.reduce((s, r) => s + (r.count * median(times[r.shape]!)) / 1000, 0);
        const peak = mixFlops / 1e9 / mixSeconds;
        // The same on process CPU time: on one thread it is the work itself, steady when other
        // processes take the cores (the wall-clock figures above then drop).
        const cpu = measured.cpu;
        const mixCpuSeconds = mix.reduce((s, r) => s + (r.count * median(cpu[r.shape]!)) / 1000, 0);
        const judgeCpu = median(cpu.judge!.map((t, i) => judgeFlops[i]! / 1e9 / (t / 1000)));
        // Interleave rotates the order, so judge run r is the r-th judgeFlops entry.
        const gflops = median(times.judge!.map((t, i) => judgeFlops[i]! / 1e9 / (t / 1000)));
        const peakUnit = kind === 'fp32' ? 'GFLOP/s' : 'GOP/s';
        figures.push({
          metric: kind === 'fp32' ? 'peak.matmul' : 'peak.matmulInteger',
          value: round(peak),
          unit: peakUnit,
          threads,
          params: Object.fromEntries(perShape),
          note: `onnxruntime ${kind === 'fp32' ? 'MatMul fp32' : 'MatMulInteger u8 x s8'}, one layer's projection mix (4x[h,h], [h,4h], [4h,h]), ${rows} rows`,
        });
        const common = { model: JUDGE_MODEL, dtype, threads, batchSize: DEFAULT_RERANK_BATCH_SIZE };
        figures.push({
          ...common,
          metric: 'judge.effective',
          value: round(gflops),
          unit: 'GFLOP/s',
          note: `${ONNX_FILE[dtype]}, ${candidates} SciFact candidates per query, FLOPs of real tokens`,
        });
        figures.push({
          ...common,
          metric: 'judge.fractionOfPeak',
          value: round(gflops / peak),
          unit: 'fraction',
          note: `of the ${kind === 'fp32' ? 'fp32 MatMul' : 'int8 MatMulInteger'} peak, same threads, measured interleaved (wall clock)`,
        });
        if (threads === 1) {
          figures.push({
            ...common,
            metric: 'judge.fractionOfPeak.cpuTime',
            value: round(judgeCpu / (mixFlops / 1e9 / mixCpuSeconds)),
            unit: 'fraction',
            params: {
              judgeGflopsPerCpuSecond: round(judgeCpu),
              peakGflopsPerCpuSecond: round(mixFlops / 1e9 / mixCpuSeconds),
            },
            note: 'the same ratio on process CPU time (1 thread: insensitive to other processes)',
          });
        }
      }
    }
    notes.push(
      `Median of ${reps} interleaved rounds (each: the judge on one query of ${candidates} candidates, ~${round(tokensPerSet[0]! / 64)} tokens per pair, and each peak shape once).`,
      'q8 effective GFLOP/s counts the same (float-equivalent) FLOPs, set against the int8 kernel peak.',
      'On 2 threads this single-op microbenchmark does not scale (each short run wakes its own pool, beside the judge session’s), so its 2-thread peak understates the machine and fractions above 1 follow: read the 1-thread fractions.',
    );
    return { figures, notes };
  },
};

export default suite;
