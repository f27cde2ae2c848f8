import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { parseDtype } from '../../../src/models/model-files.js';
import { CrossEncoderReranker } from '../../../src/reranking/cross-encoder.js';
import { OnnxEmbedder } from '../../../src/embedding/onnx-embedder.js';
import {
  calibrateActivations,
  absoluteRanges,
  calibrateChannelRanges,
  matMulInputs,
} from '../../../src/runtime/int8/calibrate-activations.js';
import { quantizeGraph } from '../../../src/runtime/int8/quantize-graph.js';
import { buildBertModel } from '../../../tools/model-gen/bert.js';
import { expectSiftError } from '../../support/expect-sift-error.js';
import { TEST_MODEL_CONFIGS, testModelDir } from '../../support/test-models.js';

const ops = (bytes: Uint8Array): string[] =>
  (onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? []).map((n) => n.opType ?? '');
const count = (list: string[], op: string): number => list.filter((o) => o === op).length;

const PAIRS = [
  [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 4068, 2038, 1017, 1012, 1019, 2454, 2111, 1012, 102],
  [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 3000, 2003, 1999, 2605, 1012, 102],
  [101, 7592, 102, 2088, 102],
];

/** A batch of pairs of different lengths (default three), padded, as the runtime feeds the judge. */
function feeds(rows: number[][] = PAIRS): Record<string, ort.Tensor> {
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  const types = new BigInt64Array(rows.length * width);
  rows.forEach((r, b) =>
    r.forEach((id, i) => {
      ids[b * width + i] = BigInt(id);
      mask[b * width + i] = 1n;
      types[b * width + i] = i > r.indexOf(102) ? 1n : 0n;
    }),
  );
  const dims = [rows.length, width];
  return {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
  };
}

async function logits(bytes: Uint8Array, rows: number[][] = PAIRS): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run(feeds(rows))).logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('quantizeGraph turns every weight MatMul into int8 (shared input quantization), leaves embeddings and attention float', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const { bytes, quantized, keptFloat } = quantizeGraph(fp32);
  const layers = config.numLayers;
  assert.equal(quantized, 6 * layers + 2, 'Q, K, V, attention output, FFN in and out per layer, pooler, classifier');
  assert.equal(keptFloat, 0);
  const after = ops(bytes);
  assert.equal(count(after, 'MatMulInteger'), 6 * layers + 2);
  assert.equal(count(after, 'MatMul'), 2 * layers, 'Q·K^T and probabilities·V stay float');
  assert.equal(count(after, 'DynamicQuantizeLinear'), 4 * layers + 2, 'Q, K and V share one quantized input');
  assert.equal(count(after, 'DequantizeLinear'), 0, 'embedding tables stay float32');
  assert.ok(bytes.length < fp32.length, 'int8 weights are smaller');
});

test('quantizeGraph leaves the MatMuls keepFloat names in float32 and quantizes the rest', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const graph = onnxProto.onnx.ModelProto.decode(fp32).graph!;
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const weightMatMuls = (graph.node ?? [])
    .filter((n) => n.opType === 'MatMul' && weights.has(n.input?.[1] ?? ''))
    .map((n) => n.name ?? '');
  const kept = weightMatMuls[weightMatMuls.length - 3]!; // the last layer's FFN output projection (before pooler, classifier)
  assert.ok(kept.length > 0, 'weight MatMuls have names');
  const { bytes, quantized, keptFloat } = quantizeGraph(fp32, undefined, (name) => name === kept);
  assert.equal(quantized, 6 * config.numLayers + 1);
  assert.equal(keptFloat, 1);
  const after = onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? [];
  assert.ok(
    after.some((n) => n.name === kept && n.opType === 'MatMul'),
    'the named MatMul is still a float MatMul',
  );
  assert.equal(count(ops(bytes), 'MatMulInteger'), 6 * config.numLayers + 1);
  const reference = await logits(fp32);
  (await logits(bytes)).forEach((v, i) =>
    assert.ok(Math.abs(v - reference[i]!) < 0.2, `pair ${i}: mixed ${v} vs fp32 ${reference[i]}`),
  );
});

test('quantizeGraph gives what the generator writes for the same recipe, and stays close to fp32', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = buildBertModel(config);
  const ours = await logits(quantizeGraph(fp32).bytes);
  const generated = await logits(
    buildBertModel({
      ...config,
      quantize: true,
      quantization: { perChannel: true, reduceRange: true, embeddings: false },
    }),
  );
  const reference = await logits(fp32);
  ours.forEach((v, i) => {
    assert.ok(Math.abs(v - generated[i]!) < 1e-4, `pair ${i}: rewritten ${v} vs generated ${generated[i]}`);
    assert.ok(Math.abs(v - reference[i]!) < 0.2, `pair ${i}: int8 ${v} vs fp32 ${reference[i]}`);
  });
});

test('quantizeGraph refuses bytes that are not an ONNX model, naming the problem', async () => {
  await expectSiftError(
    Promise.resolve().then(() => quantizeGraph(new Uint8Array([1, 2, 3, 4, 5]))),
    'MODEL_INVALID',
    /cannot read the ONNX model/,
  );
  const noOpset = onnxProto.onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g' } }).finish();
  await expectSiftError(
    Promise.resolve().then(() => quantizeGraph(noOpset)),
    'MODEL_INVALID',
    /needs ONNX opset 11 or later/,
  );
});

test('--dtype int8 quantizes the fp32 file once, caches it, and scores like fp32 (judge and scout)', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sift-int8-'));
  try {
    assert.equal(parseDtype('int8'), 'int8');
    assert.equal(parseDtype('q8'), 'q8');
    const dir = await testModelDir('reranker');
    const passages = ['Berlin has 3.5 million people.', 'Paris is in France.', 'The population of Berlin grew.'];
    const score = async (dtype: 'fp32' | 'int8'): Promise<number[]> => {
      const judge = new CrossEncoderReranker({ model: dir, dtype, cacheDir });
      try {
        return Array.from((await judge.scorePairs('How many people live in Berlin?', passages)).logits);
      } finally {
        await judge.close();
      }
    };
    const fp32 = await score('fp32');
    const int8 = await score('int8');
    int8.forEach((v, i) => assert.ok(Math.abs(v - fp32[i]!) < 0.2, `pair ${i}: int8 ${v} vs fp32 ${fp32[i]}`));
    const cached = await readdir(join(cacheDir, '.sift-int8'));
    assert.equal(cached.length, 1, `one cached int8 file, got ${cached.join(', ')}`);
    const made = (await stat(join(cacheDir, '.sift-int8', cached[0]!))).mtimeMs;
    assert.deepEqual(await score('int8'), int8, 'the cached file gives the same scores');
    assert.equal(
      (await stat(join(cacheDir, '.sift-int8', cached[0]!))).mtimeMs,
      made,
      'the second load reuses the file',
    );

    const scout = new OnnxEmbedder({ model: await testModelDir('embedder'), dtype: 'int8', cacheDir });
    const floats = new OnnxEmbedder({ model: await testModelDir('embedder'), dtype: 'fp32', cacheDir });
    try {
      const [a] = await scout.embed(['how many people live in Berlin?']);
      const [b] = await floats.embed(['how many people live in Berlin?']);
      const cosine = a!.reduce((s, x, i) => s + x * b![i]!, 0);
      assert.ok(cosine > 0.99, `int8 vs fp32 embedding cosine ${cosine}`);
    } finally {
      await scout.close();
      await floats.close();
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('int8Fallback loads a graph with external data in fp32; int8 without it refuses the graph, naming why', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-int8-external-'));
  try {
    // The generated judge with its largest MatMul weight moved to onnx/model.onnx_data, as exports over 2 GB store theirs.
    const source = await testModelDir('reranker');
    const dir = join(root, 'external-judge');
    await mkdir(join(dir, 'onnx'), { recursive: true });
    for (const f of await readdir(source)) if (f !== 'onnx') await copyFile(join(source, f), join(dir, f));
    const model = onnxProto.onnx.ModelProto.decode(await readFile(join(source, 'onnx', 'model.onnx')));
    const weight = (model.graph!.initializer ?? [])
      .filter((t) => (t.dims ?? []).length === 2 && (t.rawData?.length ?? 0) > 0)
      .sort((a, b) => b.rawData!.length - a.rawData!.length)[0]!;
    const bytes = Buffer.from(weight.rawData!);
    weight.rawData = new Uint8Array(0);
    weight.dataLocation = onnxProto.onnx.TensorProto.DataLocation.EXTERNAL;
    weight.externalData = [
      { key: 'location', value: 'model.onnx_data' },
      { key: 'offset', value: '0' },
      { key: 'length', value: String(bytes.length) },
    ];
    await writeFile(join(dir, 'onnx', 'model.onnx'), onnxProto.onnx.ModelProto.encode(model).finish());
    await writeFile(join(dir, 'onnx', 'model.onnx_data'), bytes);

    const passages = ['Berlin has 3.5 million people.', 'Paris is in France.'];
    const byDefault = new CrossEncoderReranker({ model: dir, dtype: 'int8', int8Fallback: true, cacheDir: root });
    const fp32 = new CrossEncoderReranker({ model: source, dtype: 'fp32', cacheDir: root });
    const int8 = new CrossEncoderReranker({ model: dir, dtype: 'int8', int8Fallback: false, cacheDir: root });
    try {
      assert.equal((await byDefault.load()).dtype, 'fp32', 'the float graph sift cannot rewrite loads as it is');
      const got = (await byDefault.scorePairs('How many people live in Berlin?', passages)).logits;
      const want = (await fp32.scorePairs('How many people live in Berlin?', passages)).logits;
      got.forEach((l, i) => assert.ok(Math.abs(l - want[i]!) < 1e-5, `pair ${i}: ${l} vs fp32 ${want[i]}`));
      await expectSiftError(int8.load(), 'MODEL_INVALID', /external data/);
    } finally {
      await byDefault.close();
      await fp32.close();
      await int8.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('calibrateActivations measures every weight MatMul input per channel; smoothing divides each before quantizing and keeps the logits', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const rows = [
    { ids: [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 4068, 2038, 1017, 102], typeIds: [] as number[] },
    { ids: [101, 7592, 102, 2088, 102], typeIds: [] as number[] },
  ].map((r) => ({ ids: r.ids, typeIds: r.ids.map((_, i) => (i > r.ids.indexOf(102) ? 1 : 0)) }));
  const ranges = await calibrateActivations(fp32, rows);
  assert.deepEqual([...ranges.keys()].sort(), matMulInputs(onnxProto.onnx.ModelProto.decode(fp32)).sort());
  assert.equal(ranges.size, 4 * config.numLayers + 2, 'one range per distinct MatMul input (Q, K and V share one)');
  for (const [name, r] of ranges) {
    assert.ok(r.length === config.hiddenSize || r.length === config.intermediateSize, `${name}: ${r.length} channels`);
    assert.ok(
      r.every((v) => Number.isFinite(v) && v >= 0),
      `${name}: ranges are absolute values`,
    );
    assert.ok(
      r.some((v) => v > 0),
      `${name}: the calibration text reached it`,
    );
  }
  const { bytes, quantized } = quantizeGraph(fp32, { type: 'int8' }, undefined, { ranges, alpha: 0.5 });
  assert.equal(quantized, 6 * config.numLayers + 2);
  const nodes = onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? [];
  const smoothed = nodes.filter((n) => n.opType === 'Mul' && (n.name ?? '').includes('smooth'));
  assert.equal(smoothed.length, 4 * config.numLayers + 2, 'one division per quantized input');
  const reference = await logits(fp32);
  (await logits(bytes)).forEach((v, i) =>
    assert.ok(Math.abs(v - reference[i]!) < 0.2, `pair ${i}: smoothed int8 ${v} vs fp32 ${reference[i]}`),
  );
});

test('smoothing with outliers moves the widest channels of the FFN inputs to a float32 MatMul and keeps the logits', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const ranges = await calibrateActivations(fp32, [
    { ids: [101, 2129, 2116, 2111, 2444, 102, 4068, 2038, 1017, 102], typeIds: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1] },
  ]);
  const wide = [...ranges].filter(([, r]) => r.length === config.intermediateSize).map(([name]) => name);
  assert.equal(wide.length, config.numLayers, "each layer's GELU output");
  const { bytes, quantized } = quantizeGraph(fp32, { type: 'int8' }, undefined, {
    ranges,
    alpha: 0.5,
    outliers: new Map(wide.map((name) => [name, 2])),
  });
  assert.equal(quantized, 6 * config.numLayers + 2, 'every weight MatMul is still int8');
  const nodes = onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? [];
  const gathers = nodes.filter((n) => n.opType === 'Gather' && (n.name ?? '').includes('outlier'));
  assert.equal(gathers.length, config.numLayers, 'one outlier Gather per split input');
  const sideMatMuls = nodes.filter((n) => n.opType === 'MatMul' && (n.name ?? '').includes('outlier'));
  assert.equal(sideMatMuls.length, config.numLayers, 'one float32 side product per split MatMul');
  const masks = nodes.filter((n) => n.opType === 'Mul' && (n.name ?? '').includes('inlier'));
  assert.equal(masks.length, config.numLayers, 'per-batch ranges read the other channels through a mask');
  const reference = await logits(fp32);
  (await logits(bytes)).forEach((v, i) =>
    assert.ok(Math.abs(v - reference[i]!) < 0.2, `pair ${i}: split int8 ${v} vs fp32 ${reference[i]}`),
  );
});

/** The three pairs as a calibration run takes them (type ids 1 after the first [SEP]). */
const CALIBRATION = PAIRS.map((ids) => ({ ids, typeIds: ids.map((_, i) => (i > ids.indexOf(102) ? 1 : 0)) }));

/** Each pair's logit from a static-range graph is the same alone as in the batch, and near fp32's. */
async function assertBatchIndependentNearFp32(bytes: Uint8Array, fp32: Uint8Array): Promise<void> {
  const batched = await logits(bytes);
  const reference = await logits(fp32);
  for (let i = 0; i < PAIRS.length; i++) {
    const [alone] = await logits(bytes, [PAIRS[i]!]);
    assert.ok(Math.abs(alone! - batched[i]!) < 1e-5, `pair ${i}: alone ${alone} vs batched ${batched[i]}`);
    assert.ok(Math.abs(batched[i]! - reference[i]!) < 0.2, `pair ${i}: ${batched[i]} vs fp32 ${reference[i]}`);
  }
}

test('static activation ranges: one fused int8 kernel per MatMul with its bias, the same logits for a pair alone or batched, close to fp32', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const calibration = CALIBRATION;
  const ranges = await calibrateChannelRanges(fp32, calibration);
  assert.deepEqual([...ranges.keys()].sort(), matMulInputs(onnxProto.onnx.ModelProto.decode(fp32)).sort());
  for (const [name, r] of ranges) {
    assert.equal(r.min.length, r.max.length, name);
    assert.ok(
      r.min.every((lo, c) => lo <= 0 && r.max[c]! >= 0),
      `${name}: every channel's range holds 0`,
    );
    assert.ok(
      r.max.some((hi, c) => hi > r.min[c]!),
      `${name}: the calibration text reached it`,
    );
  }

  const { bytes, quantized } = quantizeGraph(fp32, { type: 'int8' }, undefined, undefined, ranges);
  assert.equal(quantized, 6 * config.numLayers + 2);
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const after = ops(bytes);
  assert.equal(count(after, 'MatMulIntegerToFloat'), 6 * config.numLayers + 2, 'one fused kernel per weight MatMul');
  assert.equal(count(after, 'QuantizeLinear'), 4 * config.numLayers + 2, 'Q, K and V share one quantized input');
  assert.equal(count(after, 'DynamicQuantizeLinear'), 0);
  assert.equal(count(after, 'MatMulInteger'), 0);
  const adds = (bytes: Uint8Array) => count(ops(bytes), 'Add');
  assert.equal(adds(fp32) - adds(bytes), 6 * config.numLayers + 2, 'every bias Add folded into its MatMul');
  assert.ok(
    model.opsetImport?.some((o) => o.domain === 'com.microsoft'),
    'the contrib domain is imported',
  );

  await assertBatchIndependentNearFp32(bytes, fp32);
});

test('static ranges with smoothing: each smoothed input takes its channels ranges divided by their factors, still batch-independent and close to fp32', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const calibration = CALIBRATION;
  const ranges = await calibrateChannelRanges(fp32, calibration);
  // Smoothing's |value| ranges are the same calibration's, read per channel.
  const absolute = await calibrateActivations(fp32, calibration);
  assert.deepEqual(absoluteRanges(ranges), absolute);
  const smoothing = { ranges: absolute, alpha: 0.5 };
  const { bytes, quantized } = quantizeGraph(fp32, { type: 'int8' }, undefined, smoothing, ranges);
  assert.equal(quantized, 6 * config.numLayers + 2);
  const after = ops(bytes);
  assert.equal(count(after, 'DynamicQuantizeLinear'), 0, 'smoothed inputs have static ranges too');
  assert.equal(count(after, 'QuantizeLinear'), 4 * config.numLayers + 2);
  await assertBatchIndependentNearFp32(bytes, fp32);
});

test('static ranges with outlier channels: the int8 product reads the other channels with their own range, the same alone or batched', async () => {
  const config = TEST_MODEL_CONFIGS.reranker;
  const fp32 = await readFile(join(await testModelDir('reranker'), 'onnx', 'model.onnx'));
  const calibration = CALIBRATION;
  const channels = await calibrateActivations(fp32, calibration);
  const wide = [...channels].filter(([, r]) => r.length === config.intermediateSize).map(([name]) => name);
  const smoothing = { ranges: channels, alpha: 0.5, outliers: new Map(wide.map((name) => [name, 2])) };
  const { bytes } = quantizeGraph(
    fp32,
    { type: 'int8' },
    undefined,
    smoothing,
    await calibrateChannelRanges(fp32, calibration),
  );
  const after = ops(bytes);
  assert.equal(count(after, 'DynamicQuantizeLinear'), 0, 'split inputs have static ranges too');
  assert.equal(count(after, 'MatMulIntegerToFloat'), 6 * config.numLayers + 2);
  assert.equal(
    count(after, 'Gather'),
    count(ops(fp32), 'Gather') + config.numLayers,
    'one outlier Gather per split input',
  );
  const names = (onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? []).map((n) => n.name ?? '');
  assert.ok(!names.some((n) => n.includes('inlier_Mul')), 'no mask: the range and zero weight rows leave outliers out');
  await assertBatchIndependentNearFp32(bytes, fp32);
});
