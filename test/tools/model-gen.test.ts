import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { buildBertModel, type BertConfig } from '../../tools/model-gen/bert.js';
import { writeModelFolder } from '../../tools/model-gen/write-model-folder.js';
import { realModelDir, testModelDir, TEST_MODEL_CONFIGS, type TestModelKind } from '../support/test-models.js';

/** Token ids of a few fake (query, passage) pairs, [CLS]=101 and [SEP]=102, of different lengths. */
const sequences: { ids: number[]; types: number[] }[] = [
  pair([2054, 2003, 1037, 4937], [1037, 4937, 2003, 1037, 2235, 17012, 1012]),
  pair([7592], [2088, 2003, 2307]),
  pair(
    [2129, 2079, 2017, 4638, 1996, 5597, 1029],
    [2017, 2064, 4638, 2009, 2007, 1037, 14057, 9070, 2006, 1996, 2327, 1012, 2009, 2003, 3733],
  ),
];

function pair(query: number[], passage: number[]): { ids: number[]; types: number[] } {
  const ids = [101, ...query, 102, ...passage, 102];
  return { ids, types: ids.map((_, i) => (i < query.length + 2 ? 0 : 1)) };
}

/** Feeds for a batch padded to its longest sequence with id 0, mask 0, as the runtime layer pads. */
function feeds(batch: typeof sequences, tokenTypes = true): Record<string, ort.Tensor> {
  const width = Math.max(...batch.map((s) => s.ids.length));
  const ids = new BigInt64Array(batch.length * width);
  const mask = new BigInt64Array(batch.length * width);
  const types = new BigInt64Array(batch.length * width);
  batch.forEach((s, b) =>
    s.ids.forEach((id, i) => {
      ids[b * width + i] = BigInt(id);
      mask[b * width + i] = 1n;
      types[b * width + i] = BigInt(s.types[i]!);
    }),
  );
  const dims = [batch.length, width];
  const out: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
  };
  if (tokenTypes) out.token_type_ids = new ort.Tensor('int64', types, dims);
  return out;
}

/** Deterministic random pairs for comparing two models over many inputs. */
function randomSequences(count: number, seed: number): typeof sequences {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  return Array.from({ length: count }, () => {
    const query = Array.from({ length: 2 + next(8) }, () => 1000 + next(28000));
    const passage = Array.from({ length: 4 + next(40) }, () => 1000 + next(28000));
    return pair(query, passage);
  });
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();
function session(
  kind: TestModelKind,
  file: 'model.onnx' | 'model_quantized.onnx' = 'model.onnx',
): Promise<ort.InferenceSession> {
  const key = `${kind}/${file}`;
  let s = sessions.get(key);
  if (!s) {
    s = testModelDir(kind).then((dir) => ort.InferenceSession.create(join(dir, 'onnx', file)));
    sessions.set(key, s);
  }
  return s;
}

async function run(
  kind: TestModelKind,
  batch: typeof sequences,
  file?: 'model.onnx' | 'model_quantized.onnx',
): Promise<ort.Tensor> {
  const s = await session(kind, file);
  const out = await s.run(feeds(batch, TEST_MODEL_CONFIGS[kind].tokenTypeInput !== false));
  return out[s.outputNames[0]!]!;
}

const expected: Record<TestModelKind, { inputs: string[]; output: string; shape: (string | number)[] }> = {
  reranker: { inputs: ['input_ids', 'attention_mask', 'token_type_ids'], output: 'logits', shape: ['batch_size', 1] },
  'reranker-2logit': {
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
    output: 'logits',
    shape: ['batch_size', 2],
  },
  'reranker-no-token-types': { inputs: ['input_ids', 'attention_mask'], output: 'logits', shape: ['batch_size', 1] },
  embedder: {
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
    output: 'last_hidden_state',
    shape: ['batch_size', 'sequence_length', 32],
  },
};

for (const kind of Object.keys(expected) as TestModelKind[]) {
  test(`${kind}: Hub folder, input/output names, types and shapes of both model files`, async () => {
    const dir = await testModelDir(kind);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'onnx', 'tokenizer.json']);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'bert');
    assert.equal(config.hidden_size, 32);
    for (const file of ['model.onnx', 'model_quantized.onnx'] as const) {
      const s = await session(kind, file);
      assert.deepEqual(s.inputNames, expected[kind].inputs, file);
      assert.deepEqual(s.outputNames, [expected[kind].output], file);
      for (const input of s.inputMetadata) {
        assert.ok(input.isTensor);
        assert.equal(input.type, 'int64');
        assert.deepEqual(input.shape, ['batch_size', 'sequence_length']);
      }
      const output = s.outputMetadata[0]!;
      assert.ok(output.isTensor);
      assert.equal(output.type, 'float32');
      assert.deepEqual(output.shape, expected[kind].shape);
    }
    const out = await run(kind, sequences);
    const width = Math.max(...sequences.map((s) => s.ids.length));
    assert.deepEqual(
      out.dims,
      expected[kind].shape.map((d) => (d === 'batch_size' ? 3 : d === 'sequence_length' ? width : d)),
    );
    assert.ok((out.data as Float32Array).every(Number.isFinite));
  });
}

test('config.json describes the head like the Hub exports: architectures, num_labels, id2label', async () => {
  const read = async (kind: TestModelKind) =>
    JSON.parse(await readFile(join(await testModelDir(kind), 'config.json'), 'utf8'));
  const one = await read('reranker');
  assert.deepEqual(one.architectures, ['BertForSequenceClassification']);
  assert.deepEqual(one.id2label, { 0: 'LABEL_0' });
  assert.equal(one.num_labels, 1);
  assert.deepEqual((await read('reranker-2logit')).id2label, { 0: 'LABEL_0', 1: 'LABEL_1' });
  const embedder = await read('embedder');
  assert.deepEqual(embedder.architectures, ['BertModel']);
  assert.equal(embedder.id2label, undefined);
});

for (const kind of ['reranker', 'reranker-2logit', 'reranker-no-token-types'] as const) {
  test(`${kind}: a pair's logits are the same alone and padded in a batch (1e-5)`, async () => {
    const batched = (await run(kind, sequences)).data as Float32Array;
    const labels = TEST_MODEL_CONFIGS[kind].numLabels ?? 1;
    for (const [i, s] of sequences.entries()) {
      const alone = (await run(kind, [s])).data as Float32Array;
      for (let l = 0; l < labels; l++) {
        assert.ok(
          Math.abs(alone[l]! - batched[i * labels + l]!) < 1e-5,
          `pair ${i} label ${l}: ${alone[l]} vs ${batched[i * labels + l]}`,
        );
      }
    }
  });
}

test('embedder: hidden states at real tokens are the same alone and padded in a batch (1e-5)', async () => {
  const hidden = 32;
  const width = Math.max(...sequences.map((s) => s.ids.length));
  const batched = (await run('embedder', sequences)).data as Float32Array;
  for (const [i, s] of sequences.entries()) {
    const alone = (await run('embedder', [s])).data as Float32Array;
    for (let t = 0; t < s.ids.length * hidden; t++) {
      const inBatch = batched[i * width * hidden + t]!;
      assert.ok(Math.abs(alone[t]! - inBatch) < 1e-5, `sequence ${i} value ${t}: ${alone[t]} vs ${inBatch}`);
    }
  }
});

test('reranker: logits depend on the passage and spread beyond ~0.5 sigmoid scores', async () => {
  const logits = Array.from((await run('reranker', randomSequences(40, 7))).data as Float32Array);
  const spread = Math.max(...logits) - Math.min(...logits);
  assert.ok(spread > 1, `logit range ${spread.toFixed(3)} should exceed 1`);
});

// Typical: mean |fp32 - q8| ~0.02 logits, worst pair ~0.08-0.15 (per-tensor uint8 activations, int8 weights).
test('quantized models stay close to fp32: mean logit error < 0.05, max < 0.2, correlation > 0.99 over 64 pairs', async () => {
  const batch = randomSequences(64, 11);
  for (const kind of ['reranker', 'reranker-2logit', 'reranker-no-token-types'] as const) {
    const fp32 = (await run(kind, batch)).data as Float32Array;
    const q8 = (await run(kind, batch, 'model_quantized.onnx')).data as Float32Array;
    const diffs = fp32.map((v, i) => Math.abs(v - q8[i]!));
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    assert.ok(mean < 0.05, `${kind}: mean |fp32 - q8| ${mean.toFixed(4)}`);
    assert.ok(Math.max(...diffs) < 0.2, `${kind}: max |fp32 - q8| ${Math.max(...diffs).toFixed(4)}`);
    assert.ok(correlation(fp32, q8) > 0.99, `${kind}: correlation ${correlation(fp32, q8).toFixed(4)}`);
  }
  const fp32 = (await run('embedder', batch)).data as Float32Array;
  const q8 = (await run('embedder', batch, 'model_quantized.onnx')).data as Float32Array;
  assert.ok(correlation(fp32, q8) > 0.99, `embedder: correlation ${correlation(fp32, q8).toFixed(4)}`);
});

function correlation(a: Float32Array, b: Float32Array): number {
  const mean = (x: Float32Array): number => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const small: BertConfig = {
  vocabSize: 200,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 64,
  typeVocabSize: 2,
  seed: 5,
  head: 'sequence-classification',
};

test('quantized graph is laid out as quantize_dynamic writes it; fp32 has no integer ops', () => {
  const ops = (config: BertConfig): string[] => {
    const model = onnxProto.onnx.ModelProto.decode(buildBertModel(config));
    return (model.graph?.node ?? []).map((n) => n.opType ?? '');
  };
  const count = (list: string[], op: string): number => list.filter((o) => o === op).length;
  const fp32 = ops(small);
  const q8 = ops({ ...small, quantize: true });
  // Per layer: Q, K, V, attention output, FFN in and out = 6 weight MatMuls; plus pooler and classifier.
  const weightMatMuls = 6 * small.numLayers + 2;
  const attentionMatMuls = 2 * small.numLayers; // Q·K^T and probabilities·V: activations only, stay fp32
  assert.equal(count(fp32, 'MatMul'), weightMatMuls + attentionMatMuls);
  assert.equal(count(fp32, 'MatMulInteger'), 0);
  assert.equal(count(q8, 'MatMul'), attentionMatMuls);
  assert.equal(count(q8, 'MatMulInteger'), weightMatMuls);
  // Q, K and V share one DynamicQuantizeLinear of their common input.
  assert.equal(count(q8, 'DynamicQuantizeLinear'), 4 * small.numLayers + 2);
  // GatherQuant: word, position and token-type tables are uint8, dequantized after their Gather.
  assert.equal(count(q8, 'DequantizeLinear'), 3);
  assert.equal(count(ops({ ...small, quantize: true, quantization: { embeddings: false } }), 'DequantizeLinear'), 0);
  for (const op of ['LayerNormalization', 'Erf', 'Softmax', 'Range', 'Tanh']) assert.ok(fp32.includes(op), op);
});

test('same seed gives identical bytes; another seed or quantization gives other bytes', () => {
  const a = buildBertModel(small);
  assert.deepEqual(buildBertModel(small), a);
  assert.notDeepEqual(buildBertModel({ ...small, seed: 6 }), a);
  const uint8 = { ...small, quantize: true, quantization: { weightType: 'uint8' as const } };
  assert.deepEqual(buildBertModel(uint8), buildBertModel(uint8));
});

test('uint8 weights load and run like int8 ones', async () => {
  const results: Float32Array[] = [];
  for (const weightType of ['int8', 'uint8'] as const) {
    const s = await ort.InferenceSession.create(
      buildBertModel({ ...small, quantize: true, quantization: { weightType } }),
    );
    const batch = sequences.map((seq) => ({ ids: seq.ids.map((id) => id % small.vocabSize), types: seq.types }));
    results.push((await s.run(feeds(batch))).logits!.data as Float32Array);
  }
  results[0]!.forEach((v, i) => assert.ok(Math.abs(v - results[1]![i]!) < 0.1, `${v} vs ${results[1]![i]}`));
});

test('positions follow the runtime sequence length up to maxPositions', async () => {
  const s = await ort.InferenceSession.create(buildBertModel(small));
  for (const length of [1, 2, small.maxPositions]) {
    const ids = Array.from({ length }, (_, i) => (i * 7) % small.vocabSize);
    const out = await s.run(feeds([{ ids, types: ids.map(() => 0) }]));
    assert.deepEqual(out.logits!.dims, [1, 1]);
  }
});

test('writeModelFolder: concurrent writers with ifExists keep leave one complete folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-model-gen-'));
  try {
    const dir = join(root, 'org', 'tiny');
    const results = await Promise.all(
      [1, 2, 3].map(() => writeModelFolder(dir, { model: small, ifExists: 'keep', source: 'random\n' })),
    );
    assert.ok(results.some((r) => r.written));
    assert.deepEqual(await readdir(join(root, 'org')), ['tiny']); // no temporary folders left behind
    assert.deepEqual((await readdir(dir)).sort(), ['SOURCE.md', 'config.json', 'onnx', 'tokenizer.json']);
    assert.deepEqual((await readdir(join(dir, 'onnx'))).sort(), ['model.onnx', 'model_quantized.onnx']);
    const replaced = await writeModelFolder(dir, { model: { ...small, seed: 9 } });
    assert.equal(replaced.written, true);
    assert.equal(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).sift_generated.seed, 9);
    assert.deepEqual(await readdir(join(root, 'org')), ['tiny']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('realModelDir finds <org>/<name>/onnx/model.onnx under SIFT_MODELS_DIR, else undefined', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-models-root-'));
  const saved = process.env.SIFT_MODELS_DIR;
  try {
    await mkdir(join(root, 'Xenova', 'fake', 'onnx'), { recursive: true });
    await writeFile(join(root, 'Xenova', 'fake', 'onnx', 'model.onnx'), '');
    process.env.SIFT_MODELS_DIR = root;
    assert.equal(realModelDir('Xenova', 'fake'), join(root, 'Xenova', 'fake'));
    assert.equal(realModelDir('Xenova', 'no-such-model'), undefined);
  } finally {
    if (saved === undefined) delete process.env.SIFT_MODELS_DIR;
    else process.env.SIFT_MODELS_DIR = saved;
    await rm(root, { recursive: true, force: true });
  }
});
