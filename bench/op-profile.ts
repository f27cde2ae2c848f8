/**
 * Where the judge's time goes, per operator type: onnxruntime's own profiler over reranks of 20 SciFact
 * candidates (length-sorted batches of 8, as `rerank()` runs them), for each dtype's graph as sift
 * loads it (`int8`: the graph `src/runtime/int8/quantize-graph.ts` writes; onnxruntime's fusions
 * applied at load). Prints one Markdown table of shares of the summed kernel time.
 *
 *   npx tsx bench/op-profile.ts [--dtypes fp32,int8] [--threads 1] [--queries 10] [--model <dir>]
 *
 * Not a suite of `npm run bench` (profiling slows every kernel a little); a diagnostic for speed work.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { ONNX_FILE } from '../src/models/model-files.js';
import { int8ModelFile } from '../src/runtime/int8/int8-model-file.js';
import { batchTensors, lengthSortedBatches } from '../src/runtime/batching.js';
import { ModelSession } from '../src/runtime/onnx-session.js';
import { loadTokenizer } from '../src/tokenization/load-tokenizer.js';
import { PairEncoder } from '../src/tokenization/pair-encoder.js';
import { benchModelsRoot, JUDGE_MODEL } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';

const { values } = parseArgs({
  options: {
    dtypes: { type: 'string', default: 'fp32,int8' },
    threads: { type: 'string', default: '1' },
    queries: { type: 'string', default: '10' },
    model: { type: 'string', default: join(benchModelsRoot(), JUDGE_MODEL) },
  },
});

interface Event {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

const dir = values.model;
const { sets } = await scifactCandidates({ queries: Number(values.queries), perQuery: 20 });
const { tokenizer } = await loadTokenizer(join(dir, 'tokenizer.json'));
const encoder = new PairEncoder(tokenizer, 512);
const encoded = sets.map((s) => {
  const q = encoder.encodeQuery(s.query);
  return s.texts.map((t) => encoder.encodePair(q, t));
});
const shares = new Map<string, Map<string, number>>();
const totals = new Map<string, number>();
for (const dtype of values.dtypes.split(',')) {
  const file =
    dtype === 'int8'
      ? await int8ModelFile(join(dir, ONNX_FILE.fp32), join(tmpdir(), 'sift-op-profile'))
      : join(dir, ONNX_FILE[dtype as 'fp32' | 'q8']);
  const prefix = join(tmpdir(), `sift-op-profile-${process.pid}-${dtype}`);
  const raw = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    enableMemPattern: false,
    executionMode: 'sequential',
    interOpNumThreads: 1,
    intraOpNumThreads: Number(values.threads),
    enableProfiling: true,
    profileFilePrefix: prefix,
  });
  const session = new ModelSession(file, raw);
  for (const pairs of encoded) {
    for (const batch of lengthSortedBatches(
      pairs.map((p) => p.ids.length),
      8,
    )) {
      await session.run(
        batchTensors(
          session,
          batch.map((i) => pairs[i]!),
          0,
        ),
        ['logits'],
      );
    }
  }
  // onnxruntime-node writes `<prefix>_<timestamp>.json` and returns nothing.
  (raw as unknown as { endProfiling(): void }).endProfiling();
  const name = readdirSync(tmpdir()).find(
    (f) => f.startsWith(`${prefix.slice(tmpdir().length + 1)}_`) && f.endsWith('.json'),
  );
  if (!name) throw new Error(`no onnxruntime profile written with prefix ${prefix}`);
  const profileFile = join(tmpdir(), name);
  const events = JSON.parse(readFileSync(profileFile, 'utf8')) as Event[];
  rmSync(profileFile, { force: true });
  const byOp = new Map<string, number>();
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    total += e.dur;
  }
  shares.set(dtype, byOp);
  totals.set(dtype, total);
  await session.release();
}

const ops = [...new Set([...shares.values()].flatMap((m) => [...m.keys()]))].sort(
  (a, b) =>
    Math.max(...[...shares.values()].map((m) => m.get(b) ?? 0)) -
    Math.max(...[...shares.values()].map((m) => m.get(a) ?? 0)),
);
const dtypes = [...shares.keys()];
console.log(`| operator | ${dtypes.map((d) => `${d} share (ms a query)`).join(' | ')} |`);
console.log(`| --- | ${dtypes.map(() => '---').join(' | ')} |`);
for (const op of ops) {
  const cells = dtypes.map((d) => {
    const us = shares.get(d)!.get(op);
    return us === undefined
      ? ''
      : `${((100 * us) / totals.get(d)!).toFixed(1)} % (${(us / 1000 / sets.length).toFixed(1)})`;
  });
  console.log(`| ${op} | ${cells.join(' | ')} |`);
}
console.log(
  `| **kernel time a query** | ${dtypes.map((d) => `${(totals.get(d)! / 1000 / sets.length).toFixed(0)} ms`).join(' | ')} |`,
);
console.log(`\n${sets.length} queries x 20 SciFact candidates, ${values.threads} thread(s), batches of 8, ${dir}`);
