import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { CrossEncoderReranker } from '../../../src/reranking/cross-encoder.js';
import { firstTokenGraph } from '../../../src/runtime/first-token/first-token-graph.js';
import { firstTokenModelFile } from '../../../src/runtime/first-token/first-token-model-file.js';
import { int8ModelFile } from '../../../src/runtime/int8/int8-model-file.js';
import { JUDGE_INT8_RECIPE_7BIT } from '../../../src/runtime/int8/int8-recipe.js';
import { tempDir } from '../../support/temp-dir.js';
import { testModelDir } from '../../support/test-models.js';

/** Token ids of pairs of different lengths, [CLS] query [SEP] passage [SEP], for the test vocabulary. */
const PAIRS = [
  [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 4068, 2038, 1017, 1012, 1019, 2454, 2111, 1012, 102],
  [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 3000, 2003, 1999, 2605, 1012, 102],
  [101, 7592, 102, 2088, 102],
  [101, 2129, 102, 4068, 2038, 1017, 1012, 102],
];

/** Logits of `pairs` run as one padded batch through `model`. */
async function logits(model: Uint8Array | string, pairs: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model as Uint8Array, { intraOpNumThreads: 1 });
  try {
    const width = Math.max(...pairs.map((p) => p.length));
    const tensor = (f: (p: number[], i: number) => number) =>
      new ort.Tensor(
        'int64',
        BigInt64Array.from(
          pairs.flatMap((p) => Array.from({ length: width }, (_, i) => BigInt(i < p.length ? f(p, i) : 0))),
        ),
        [pairs.length, width],
      );
    const feeds: Record<string, ort.Tensor> = {
      input_ids: tensor((p, i) => p[i]!),
      attention_mask: tensor(() => 1),
    };
    if (session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = tensor((p, i) => (i > p.indexOf(102) ? 1 : 0));
    return (await session.run(feeds)).logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

async function graphOf(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file));
}

test('the last layer keeps two rows: the same logits as the full graph, for every pair of a padded batch and alone', async () => {
  const dir = await testModelDir('reranker');
  const original = await graphOf(join(dir, 'onnx', 'model.onnx'));
  const rewritten = firstTokenGraph(original);
  assert.ok(rewritten, 'a BERT cross-encoder qualifies');
  assert.ok(rewritten.rowNodes > 10, `the position-wise tail of the last layer (${rewritten.rowNodes} nodes)`);
  assert.equal(rewritten.attentionRow, true, "the last attention's query rows too");
  const graph = onnxProto.onnx.ModelProto.decode(rewritten.bytes).graph!;
  const slices = graph.node!.filter((n) => n.opType === 'Slice');
  assert.equal(slices.length, 3, 'the residual, the query and the padding mask');
  const read = new Set(graph.node!.flatMap((n) => n.input ?? []));
  assert.deepEqual(
    graph.initializer!.map((t) => t.name).filter((name) => !read.has(name ?? '')),
    [],
    'nothing left unused (onnxruntime would warn about it on every load)',
  );
  assert.deepEqual(await logits(rewritten.bytes, PAIRS), await logits(original, PAIRS));
  for (const [i, pair] of PAIRS.entries())
    assert.equal((await logits(rewritten.bytes, [pair]))[0], (await logits(original, PAIRS))[i], `pair ${i} alone`);
});

test("sift's static int8 graph of a judge, rewritten, gives exactly its logits", async () => {
  const dir = await testModelDir('reranker');
  const cache = await tempDir('sift-first-token-int8-');
  const int8 = await int8ModelFile(
    join(dir, 'onnx', 'model.onnx'),
    cache,
    JUDGE_INT8_RECIPE_7BIT,
    join(dir, 'tokenizer.json'),
  );
  const rewritten = firstTokenGraph(await graphOf(int8));
  assert.ok(rewritten);
  assert.deepEqual(await logits(rewritten.bytes, PAIRS), await logits(int8, PAIRS));
});

test('graphs without a first-token head, or that the rewrite would change, are loaded as they are (checked once)', async () => {
  const cache = await tempDir('sift-first-token-');
  const embedder = join(await testModelDir('embedder'), 'onnx', 'model.onnx');
  assert.equal(firstTokenGraph(await graphOf(embedder)), undefined, 'an embedder reads every token');
  assert.equal(await firstTokenModelFile(embedder, cache), embedder);
  // Dynamic quantization computes one range over all rows: a rewrite that keeps two rows changes it,
  // or cannot run; the check against the original refuses it.
  const dynamic = join(await testModelDir('reranker'), 'onnx', 'model_quantized.onnx');
  assert.equal(await firstTokenModelFile(dynamic, cache), dynamic);
  const markers = await readdir(join(cache, '.sift-first-token'));
  assert.equal(markers.filter((f) => f.endsWith('.none')).length, 2, 'each refusal is remembered');
  assert.equal(await firstTokenModelFile(dynamic, cache), dynamic);
  assert.equal((await readdir(join(cache, '.sift-first-token'))).length, 2, 'and not checked again');
});

test('the judge loads the rewritten graph by default: same scores as with `firstTokenOnly: false`, file cached', async () => {
  const model = await testModelDir('reranker');
  const cacheDir = await tempDir('sift-first-token-judge-');
  const docs = ['Berlin had 3.5 million inhabitants.', 'Paris', 'Berlin is known for its museums.', 'population'];
  const fast = new CrossEncoderReranker({ model, cacheDir });
  const full = new CrossEncoderReranker({ model, cacheDir, firstTokenOnly: false });
  try {
    const [a, b] = [
      await fast.rerank('How many people live in Berlin?', docs),
      await full.rerank('How many people live in Berlin?', docs),
    ];
    assert.deepEqual(
      a.results.map((r) => [r.index, r.score]),
      b.results.map((r) => [r.index, r.score]),
    );
    const files = await readdir(join(cacheDir, '.sift-first-token'));
    assert.equal(files.filter((f) => f.endsWith('.onnx')).length, 1, 'the rewritten fp32 graph');
  } finally {
    await fast.close();
    await full.close();
  }
});
