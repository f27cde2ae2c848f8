/**
 * Session-level levers of the judge side by side on one graph file each: threads, batch size and
 * thread spinning, interleaved round by round on the same 20 SciFact candidates (length-sorted
 * batches, as `rerank()` runs them, 120 ms pause between calls). Prints one Markdown row per variant:
 * wall p50 / p95, process CPU p50, and the median per-round ratio to the first variant (> 1 is faster).
 *
 *   npx tsx bench/session-levers.ts <rounds> <name>=<onnx file>:<threads>:<batch>:<spin 0|1> ...
 *   npx tsx bench/session-levers.ts 12 b8=int8.onnx:1:8:1 b4=int8.onnx:1:4:0 --model <dir>
 *
 * `--model` is the folder whose tokenizer.json encodes the pairs (default: the sift-lab judge in
 * SIFT_MODELS_DIR). The int8 file of a model is what `int8ModelFile` writes (src/runtime/int8).
 * A diagnostic for speed work, not a suite of `npm run bench`; run it under the bench lock.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { batchTensors, lengthSortedBatches } from '../src/runtime/batching.js';
import { ModelSession } from '../src/runtime/onnx-session.js';
import { loadTokenizer } from '../src/tokenization/load-tokenizer.js';
import { PairEncoder } from '../src/tokenization/pair-encoder.js';
import { scifactCandidates } from './support/scifact.js';
import { percentile } from './support/stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: {
      type: 'string',
      default: join(process.env.SIFT_MODELS_DIR ?? join('..', 'shared', 'models'), 'sift-lab', 'minilm-l6-judge'),
    },
  },
});
const rounds = Number(positionals[0]);
const specs = positionals.slice(1).map((arg) => {
  const [name, rest] = arg.split('=') as [string, string];
  const [file, threads, batch, spin] = rest.split(':');
  return { name, file: file!, threads: Number(threads), batch: Number(batch), spin: spin !== '0' };
});
if (!(rounds > 0) || specs.length === 0)
  throw new Error('usage: session-levers.ts <rounds> <name>=<file>:<threads>:<batch>:<spin> ...');

const { sets } = await scifactCandidates({ queries: rounds, perQuery: 20 });
const { tokenizer } = await loadTokenizer(join(values.model, 'tokenizer.json'));
const encoder = new PairEncoder(tokenizer, 512);
const encoded = sets.map((s) => {
  const q = encoder.encodeQuery(s.query);
  return s.texts.map((t) => encoder.encodePair(q, t));
});
const sessions = new Map<string, ModelSession>();
for (const s of specs) {
  const raw = await ort.InferenceSession.create(s.file, {
    graphOptimizationLevel: 'all',
    enableMemPattern: false,
    executionMode: 'sequential',
    interOpNumThreads: 1,
    intraOpNumThreads: s.threads,
    extra: { session: { intra_op: { allow_spinning: s.spin ? '1' : '0' } } },
  });
  sessions.set(s.name, new ModelSession(s.file, raw));
}
const run = async (s: (typeof specs)[number], pairs: (typeof encoded)[number]): Promise<void> => {
  const session = sessions.get(s.name)!;
  for (const batch of lengthSortedBatches(
    pairs.map((p) => p.ids.length),
    s.batch,
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
};
for (const s of specs) await run(s, encoded[0]!);
const wall = new Map(specs.map((s) => [s.name, [] as number[]]));
const cpu = new Map(specs.map((s) => [s.name, [] as number[]]));
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < specs.length; j++) {
    const s = specs[(j + r) % specs.length]!;
    await sleep(120);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(s, encoded[r]!);
    wall.get(s.name)!.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.get(s.name)!.push((c.user + c.system) / 1000);
  }
}
const ref = specs[0]!.name;
console.log(
  '| variant | threads | batch | spinning | wall p50 ms | wall p95 ms | CPU p50 ms | x first (wall) | x first (CPU) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const s of specs) {
  const w = wall.get(s.name)!;
  const c = cpu.get(s.name)!;
  const wr = w.map((x, i) => wall.get(ref)![i]! / x);
  const cr = c.map((x, i) => cpu.get(ref)![i]! / x);
  console.log(
    `| ${s.name} | ${s.threads} | ${s.batch} | ${s.spin ? 'on' : 'off'} | ${percentile(w, 50).toFixed(0)} | ${percentile(w, 95).toFixed(0)} | ${percentile(c, 50).toFixed(0)} | ${percentile(wr, 50).toFixed(2)} | ${percentile(cr, 50).toFixed(2)} |`,
  );
}
console.log(`\n${rounds} rounds x 20 SciFact candidates, tokenizer ${values.model}`);
