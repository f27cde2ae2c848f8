/**
 * sift's judge against the Python peers a user would otherwise reach for, side by side in one run:
 * sentence-transformers' CrossEncoder on torch (fp32, the seeds' code; bf16 autocast), with its
 * OpenVINO backend, the OpenVINO runtime on the same ONNX graph (default precision: bf16 on AMX CPUs;
 * nncf static int8), and onnxruntime from Python (one padded batch).
 *
 * Every runner loads the SAME weights: one full-size random-weight MiniLM-L6 cross-encoder checkpoint
 * (bench/peers/checkpoint.ts) that sift's converter also turns into sift's ONNX folder. Before timing,
 * each runner's logits are compared with sift fp32's on the same pairs (fp32 runners must agree to
 * 1e-4). Rounds are interleaved: each round runs every runner once on the same query of 20 SciFact
 * candidates (order rotating), with a pause between calls so one runner's spinning threads do not
 * land on the next. Time per query includes tokenizing, as in `rerank()`.
 *
 * The Python side runs in its own venv (`.cache/peers-venv`, git-ignored), created on first use from
 * bench/peers/requirements.txt; the suite skips with the reason when Python or the registry is not
 * there. Not part of `npm test`. Threads: 1 and 2 (`SIFT_BENCH_PEERS_THREADS=1` for one).
 * `SIFT_BENCH_PEERS_RECIPES=r8ffn+sq50,...` adds sift runners on int8 recipe graphs of the same checkpoint
 * (bench/support/int8-recipes.ts; one pair a batch, as per-batch-range int8 runs, and static-range
 * `+st` recipes in batches of 4; `r7` is sift's `--dtype int8` before static ranges).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ModelDtype } from '../src/models/model-spec.js';
import { defaultReranker } from '../src/models/registry.js';
import { CrossEncoderReranker, defaultJudgeDtype, judgeInt8Recipe } from '../src/reranking/cross-encoder.js';
import { peerModel } from './peers/checkpoint.js';
import { recipeGraph } from './support/int8-recipes.js';
import { repoRoot } from './support/models.js';
import { spearman } from './support/rank-agreement.js';
import { scifactCandidates, scifactDir } from './support/scifact.js';
import { median, pairedRatio, percentile, round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const run = promisify(execFile);

/** The Python runners, by the name peers.py knows them. fp32 ones must equal sift fp32. */
const PEERS = [
  'st-torch-fp32',
  'st-torch-bf16',
  'st-openvino',
  'openvino',
  'openvino-int8',
  'onnxruntime-fp32',
  'flashrank',
  'fastembed',
];
const FP32_PEERS = new Set(['st-torch-fp32', 'onnxruntime-fp32', 'flashrank', 'fastembed']);
const SIFT_DTYPES: ModelDtype[] = ['fp32', 'int8'];
/** Pause between two timed calls (ms): onnxruntime's and OpenMP's idle threads spin for a while after a call. */
const PAUSE_MS = 120;

/** The venv's python, creating the venv on first use; or the reason there is none. */
async function peersPython(log: (line: string) => void): Promise<{ python: string } | { missing: string }> {
  const venv = process.env.SIFT_BENCH_PEERS_VENV ?? join(repoRoot(), '.cache', 'peers-venv');
  const python = join(venv, 'bin', 'python');
  const ready = join(venv, '.sift-peers-ready');
  if (existsSync(ready)) return { python };
  const base = process.env.SIFT_BENCH_PYTHON ?? 'python3';
  try {
    await run(base, ['--version']);
  } catch {
    return { missing: `no Python (${base} not found; set SIFT_BENCH_PYTHON)` };
  }
  try {
    log(`creating ${venv} (torch CPU, sentence-transformers, OpenVINO, nncf: ~1.5 GB, a few minutes)`);
    if (!existsSync(python)) await run(base, ['-m', 'venv', venv]);
    // --no-deps from a pinned list: torch's own metadata would pull ~3 GB of CUDA libraries a CPU never loads.
    await run(
      python,
      ['-m', 'pip', 'install', '--quiet', '--no-deps', '-r', join(repoRoot(), 'bench', 'peers', 'requirements.txt')],
      { maxBuffer: 64 << 20 },
    );
    await run(python, ['-c', 'import torch, sentence_transformers, openvino']);
    await run('touch', [ready]);
    return { python };
  } catch (err) {
    return {
      missing: `could not set up the peers venv at ${venv} (is the Python package registry reachable?): ${String(
        (err as Error).message,
      )
        .split('\n')
        .slice(-3)
        .join(' ')}`,
    };
  }
}

/** The peers.py process: one JSON request a line, one answer a line. */
class PeerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];

  constructor(python: string, threads: number) {
    const env = {
      ...process.env,
      OMP_NUM_THREADS: String(threads),
      MKL_NUM_THREADS: String(threads),
      TOKENIZERS_PARALLELISM: 'false',
      HF_HUB_OFFLINE: '1',
      // The Python onnxruntime starts Microsoft's telemetry too; off, as sift turns off its own.
      ORT_DISABLE_TELEMETRY: '1',
    };
    this.child = spawn(python, [join(repoRoot(), 'bench', 'peers', 'peers.py')], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', () => undefined); // libraries' chatter; errors come back as answers
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.resolve(line));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`peers.py exited (code ${String(code)})`));
    });
  }

  async request<T>(body: Record<string, unknown>): Promise<T> {
    const answer = new Promise<string>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.child.stdin.write(`${JSON.stringify(body)}\n`);
    const parsed = JSON.parse(await answer) as T & { ok: boolean; error?: string };
    if (!parsed.ok) throw new Error(`peers.py: ${parsed.error ?? 'failed'}`);
    return parsed;
  }

  async close(): Promise<void> {
    this.child.stdin.write(`${JSON.stringify({ cmd: 'quit' })}\n`);
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

interface Loaded {
  loaded: string[];
  skipped: Record<string, string>;
  notes: Record<string, string>;
  versions: Record<string, string>;
}

const maxAbs = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

const suite: BenchSuite = {
  name: 'peers',
  title:
    'The judge against Python peers (sentence-transformers torch/OpenVINO, OpenVINO int8, onnxruntime) on the same weights, 20 candidates a query',
  async run({ quick, log }) {
    if (!scifactDir()) return { figures: [], notes: [], skipped: 'SciFact not found (set SIFT_BENCH_SCIFACT)' };
    const py = await peersPython(log);
    if ('missing' in py) return { figures: [], notes: [], skipped: py.missing };
    log('one checkpoint for every runner (written once)');
    const model = await peerModel(join(repoRoot(), '.cache', 'peers'));
    const rounds = quick ? 8 : Number(process.env.SIFT_BENCH_PEERS_ROUNDS ?? 20);
    const { sets: all } = await scifactCandidates({ queries: rounds + 8, perQuery: 20 });
    const sets = all.slice(0, rounds);
    // Calibration for OpenVINO's static int8: other queries than the timed ones.
    const calibration = all.slice(rounds).flatMap((s) => s.texts.map((t) => [s.query, t]));
    const threadCounts = (process.env.SIFT_BENCH_PEERS_THREADS ?? '1,2').split(',').map(Number);
    const recipes = (process.env.SIFT_BENCH_PEERS_RECIPES ?? '').split(',').filter(Boolean);
    const figures: BenchFigure[] = [];
    const notes: string[] = [];
    let versions: Record<string, string> = {};
    const summary = [
      '| runner | threads | p50 ms | p95 ms | CPU ms p50 | x fastest peer (wall) | max abs logit diff vs sift fp32 |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    ];

    for (const threads of threadCounts) {
      log(`${threads} thread(s): loading sift fp32/int8 and the Python peers`);
      // int8 with the recipe the default judge (ms-marco-MiniLM-L-6-v2) gets on this CPU; the
      // checkpoint's own name is not in the registry and would get the general recipe.
      const recipe = judgeInt8Recipe(defaultReranker.name);
      const judge = (dtype: ModelDtype, options: { workers?: number; firstTokenOnly?: boolean } = {}) =>
        new CrossEncoderReranker({
          model: model.name,
          modelsDir: model.modelsRoot,
          offline: true,
          dtype,
          ...(dtype === 'int8' ? { int8Recipe: recipe } : {}),
          ...(options.firstTokenOnly !== undefined ? { firstTokenOnly: options.firstTokenOnly } : {}),
          session: { threads, ...(options.workers !== undefined ? { workers: options.workers } : {}) },
        });
      const judges = new Map(SIFT_DTYPES.map((dtype) => [`sift-${dtype}`, judge(dtype)]));
      // The same int8 on one in-process session over all the threads (before session pools).
      if (threads > 1) judges.set('sift-int8-1session', judge('int8', { workers: 1 }));
      // The same int8 with every token through the last layer (before the first-token rewrite).
      judges.set('sift-int8-full-last-layer', judge('int8', { firstTokenOnly: false }));
      for (const name of recipes) {
        const root = join(repoRoot(), '.cache', 'peers', 'recipes', name);
        const dir = join(root, model.name);
        if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
          mkdirSync(join(dir, 'onnx'), { recursive: true });
          for (const f of readdirSync(model.siftDir))
            if (f !== 'onnx' && !existsSync(join(dir, f))) symlinkSync(join(model.siftDir, f), join(dir, f));
          const graph = await recipeGraph(
            name,
            readFileSync(join(model.siftDir, 'onnx', 'model.onnx')),
            join(model.siftDir, 'tokenizer.json'),
          );
          writeFileSync(join(dir, 'onnx', 'model.onnx'), graph.bytes);
        }
        judges.set(
          `sift-${name}`,
          new CrossEncoderReranker({
            model: model.name,
            modelsDir: root,
            offline: true,
            dtype: 'fp32',
            // Per-batch-range recipes one pair a batch; static-range ones (`+st`) batch like fp32.
            ...(/\+stt?$/.test(name) ? {} : { batchSize: 1 }),
            session: { threads },
          }),
        );
      }
      const peer = new PeerProcess(py.python, threads);
      const info = await peer.request<Loaded>({
        cmd: 'load',
        checkpoint: model.checkpoint,
        onnx: join(model.siftDir, 'onnx', 'model.onnx'),
        threads,
        runners: quick ? PEERS.filter((p) => p !== 'st-torch-bf16') : PEERS,
        calibration,
      });
      versions = info.versions;
      for (const [name, why] of Object.entries(info.skipped))
        notes.push(`${threads} thread(s): skipped ${name}: ${why}`);

      // Equality first: every runner on the same pairs, against sift fp32.
      const reference = new Map<number, number[]>();
      const logitsOf = async (key: string, i: number): Promise<{ logits: number[]; ms: number; cpuMs: number }> => {
        const set = sets[i]!;
        const judge = judges.get(key);
        if (judge) {
          const cpu = process.cpuUsage();
          const t0 = performance.now();
          const r = await judge.rerank(set.query, set.texts, { topK: set.texts.length });
          const ms = performance.now() - t0;
          const used = process.cpuUsage(cpu);
          const logits = new Array<number>(set.texts.length);
          for (const x of r.results) logits[x.index] = x.logit;
          return { logits, ms, cpuMs: (used.user + used.system) / 1000 };
        }
        return peer.request({ cmd: 'score', runner: key, query: set.query, texts: set.texts });
      };
      for (const judge of judges.values()) await judge.rerank(sets[0]!.query, sets[0]!.texts);
      const keys = [...judges.keys(), ...info.loaded];
      const logits = new Map(keys.map((k) => [k, [] as number[][]]));
      const wall = new Map(keys.map((k) => [k, [] as number[]]));
      const cpu = new Map(keys.map((k) => [k, [] as number[]]));
      log(`${threads} thread(s): ${rounds} interleaved rounds of ${keys.length} runners (${keys.join(', ')})`);
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < keys.length; j++) {
          const key = keys[(j + r) % keys.length]!;
          await sleep(PAUSE_MS);
          const out = await logitsOf(key, r);
          logits.get(key)!.push(out.logits);
          wall.get(key)!.push(out.ms);
          cpu.get(key)!.push(out.cpuMs);
          if (key === 'sift-fp32') reference.set(r, out.logits);
        }
      }
      const ref = logits.get('sift-fp32')!;
      const peers = keys.filter((k) => !judges.has(k));
      const fastestPeer = peers.reduce<string | undefined>(
        (best, k) => (best === undefined || median(wall.get(k)!) < median(wall.get(best)!) ? k : best),
        undefined,
      );
      for (const key of keys) {
        const t = wall.get(key)!;
        const diff = Math.max(...logits.get(key)!.map((l, i) => maxAbs(l, ref[i]!)));
        const rho = spearman(ref.flat(), logits.get(key)!.flat());
        const isSift = judges.has(key);
        const common = {
          model: model.name,
          threads,
          params: {
            runner: key,
            note: isSift
              ? `sift ${key.slice(5)}${key === `sift-${defaultJudgeDtype(defaultReranker.name)}` ? ` (${defaultReranker.name}'s default here)` : ''}${key.startsWith('sift-int8') ? `, recipe ${recipe.id}` : ''}${key.endsWith('1session') ? ', one session on all threads' : ', default batch size and session settings'}`
              : (info.notes[key] ?? key),
          },
        };
        figures.push(
          {
            ...common,
            metric: 'peers.latency.p50',
            value: round(percentile(t, 50)),
            unit: 'ms',
            note: `one query of 20 candidates, ${t.length} interleaved rounds`,
          },
          { ...common, metric: 'peers.latency.p95', value: round(percentile(t, 95)), unit: 'ms' },
          {
            ...common,
            metric: 'peers.cpu.p50',
            value: round(median(cpu.get(key)!)),
            unit: 'ms',
            note: 'process CPU time of the call',
          },
          {
            ...common,
            metric: 'peers.maxAbsDiffVsSiftFp32',
            value: Number(diff.toPrecision(3)),
            unit: 'logit',
            note:
              key === 'sift-fp32'
                ? 'the reference'
                : FP32_PEERS.has(key)
                  ? diff <= 1e-4
                    ? 'equal (<= 1e-4)'
                    : 'NOT EQUAL'
                  : 'lower precision',
          },
          { ...common, metric: 'peers.spearmanVsSiftFp32', value: round(rho), unit: 'Spearman' },
        );
        if (fastestPeer && key !== fastestPeer) {
          figures.push(
            {
              ...common,
              metric: 'peers.speedupOverFastestPeer',
              value: round(pairedRatio(wall.get(fastestPeer)!, t)),
              unit: 'x',
              note: `median over rounds of ${fastestPeer} / ${key} wall time; > 1 is faster`,
            },
            {
              ...common,
              metric: 'peers.cpuSpeedupOverFastestPeer',
              value: round(pairedRatio(cpu.get(fastestPeer)!, cpu.get(key)!)),
              unit: 'x',
              note: 'the same on process CPU time (steadier when the machine is loaded)',
            },
          );
        }
        summary.push(
          `| ${key} | ${threads} | ${round(percentile(t, 50))} | ${round(percentile(t, 95))} | ${round(median(cpu.get(key)!))} | ${fastestPeer && key !== fastestPeer ? round(pairedRatio(wall.get(fastestPeer)!, t)) : fastestPeer === key ? 1 : ''} | ${Number(diff.toPrecision(2))} |`,
        );
      }
      if (fastestPeer)
        notes.push(
          `${threads} thread(s): fastest peer ${fastestPeer} (${round(median(wall.get(fastestPeer)!))} ms p50).`,
        );
      await peer.close();
      for (const judge of judges.values()) await judge.close();
    }
    notes.push(
      `Summary (p50/p95 wall per query; "x fastest peer": median over rounds of the fastest peer's time / this runner's, > 1 is faster):\n\n${summary.join('\n')}\n`,
      `Weights: ${model.name} (random, seed 6, full-size MiniLM-L6 cross-encoder; speed only): ${model.checkpoint} for the Python runners, sift's ONNX made from it by tools/model-gen's converter.`,
      `Pairs: ${rounds} SciFact test claims x 20 candidates of ~500 characters. Versions: ${Object.entries(versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
    );
    return { figures, notes };
  },
};

export default suite;
