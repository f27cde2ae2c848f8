import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { defaultScoutDtype, OnnxEmbedder } from '../../src/embedding/onnx-embedder.js';
import { SCOUT_INT8_RECIPE } from '../../src/runtime/int8/int8-recipe.js';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';
import { isSiftError } from '../../src/errors.js';
import { assertInt8VectorsStable } from '../support/int8-vectors.js';
import { realModelDir, testModelDir } from '../support/test-models.js';

const TEXTS = [
  'A man is eating food.',
  'A man is eating a piece of bread.',
  'The girl is carrying a baby.',
  'Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers. '.repeat(8),
  '',
];

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

test('vectors are unit length, of the model dimension, and independent of batch neighbours (fp32)', async () => {
  // fp32: int8 quantizes activations per batch, so its vectors move slightly with their batch.
  const scout = new OnnxEmbedder({ model: await testModelDir('embedder'), dtype: 'fp32' });
  try {
    assert.equal(await scout.dimension(), 32);
    const batched = await scout.embed(TEXTS, { batchSize: 3 });
    assert.equal(batched.length, TEXTS.length);
    for (const v of batched) {
      assert.equal(v.length, 32);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    }
    for (let i = 0; i < TEXTS.length; i++) {
      const [alone] = await scout.embed([TEXTS[i]!]);
      assert.ok(dot(alone!, batched[i]!) > 1 - 1e-5, `text ${i}`);
    }
  } finally {
    await scout.close();
  }
});

test('mean pooling averages real tokens only, matching a direct run of the graph', async () => {
  const dir = await testModelDir('embedder');
  const { tokenizer } = await loadTokenizer(join(dir, 'tokenizer.json'));
  const enc = tokenizer.encode(TEXTS[1]!, { return_token_type_ids: true });
  const t = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length]);
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
  const out = await session.run({
    input_ids: t(enc.ids),
    attention_mask: t(enc.attention_mask),
    token_type_ids: t(enc.token_type_ids),
  });
  await session.release();
  const hidden = out.last_hidden_state!.data as Float32Array;
  const n = enc.ids.length;
  const mean = new Float32Array(32);
  for (let tok = 0; tok < n; tok++) for (let d = 0; d < 32; d++) mean[d]! += hidden[tok * 32 + d]! / n;
  const norm = Math.hypot(...mean);
  const expected = mean.map((x) => x / norm);

  // The fp32 graph's own outputs are the reference, so the scout runs that graph.
  const scout = new OnnxEmbedder({ model: dir, dtype: 'fp32' });
  const cls = new OnnxEmbedder({ model: dir, pooling: 'cls', dtype: 'fp32' });
  try {
    const [v] = await scout.embed([TEXTS[1]!, TEXTS[3]!]);
    v!.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-5));
    const [c] = await cls.embed([TEXTS[1]!]);
    const first = hidden.slice(0, 32);
    const firstNorm = Math.hypot(...first);
    c!.forEach((x, i) => assert.ok(Math.abs(x - first[i]! / firstNorm) < 1e-5));
  } finally {
    await scout.close();
    await cls.close();
  }
});

test('query and passage prefixes are applied by kind', async () => {
  const dir = await testModelDir('embedder');
  const plain = new OnnxEmbedder({ model: dir });
  const e5 = new OnnxEmbedder({ model: dir, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
  try {
    const [q] = await e5.embed(['berlin'], { kind: 'query' });
    const [p] = await e5.embed(['berlin'], { kind: 'passage' });
    const [withQueryPrefix] = await plain.embed(['query: berlin']);
    assert.ok(dot(q!, withQueryPrefix!) > 1 - 1e-5, 'the query prefix is prepended');
    assert.ok(dot(q!, p!) < 1 - 1e-4, 'query and passage vectors differ');
  } finally {
    await plain.close();
    await e5.close();
  }
});

test('texts longer than maxLength are cut, and a maxLength beyond the model is refused', async () => {
  const dir = await testModelDir('embedder');
  const short = new OnnxEmbedder({ model: dir, maxLength: 16 });
  const bad = new OnnxEmbedder({ model: dir, maxLength: 100000 });
  try {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
    const [a, b] = await short.embed([long, `${long} and many more words after the cut`]);
    assert.ok(dot(a!, b!) > 1 - 1e-5, 'words past maxLength do not change the vector');
    await assert.rejects(bad.embed(['x']), (err) => isSiftError(err, 'INVALID_OPTION') && /512/.test(err.message));
    assert.deepEqual(await bad.embed([]), []);
  } finally {
    await short.close();
    await bad.close();
  }
});

test('a cross-encoder folder is refused as an embedder, naming the outputs', async () => {
  const wrong = new OnnxEmbedder({ model: await testModelDir('reranker') });
  await assert.rejects(
    wrong.embed(['x']),
    (err) => isSiftError(err, 'MODEL_INVALID') && /last_hidden_state/.test(err.message) && /logits/.test(err.message),
  );
});

/** The similarities the sentence-transformers README publishes for all-MiniLM-L6-v2 and these sentences, within `tolerance`. */
async function assertPublishedSimilarities(scout: OnnxEmbedder, tolerance: number): Promise<void> {
  const [w, s, d] = await scout.embed([
    'The weather is lovely today.',
    "It's so sunny outside!",
    'He drove to the stadium.',
  ]);
  for (const [got, published] of [
    [dot(w!, s!), 0.666],
    [dot(w!, d!), 0.1046],
    [dot(s!, d!), 0.1411],
  ] as const) {
    assert.ok(Math.abs(got - published) < tolerance, `cosine ${got.toFixed(4)}, published ${published}`);
  }
}

const realDir = realModelDir('sentence-transformers', 'all-MiniLM-L6-v2') ?? realModelDir('Xenova', 'all-MiniLM-L6-v2');
test(
  'real all-MiniLM-L6-v2 puts a paraphrase above an unrelated sentence and gives the published similarities',
  {
    skip: realDir
      ? false
      : 'skipped: no model at SIFT_MODELS_DIR or ../shared/models/{sentence-transformers,Xenova}/all-MiniLM-L6-v2',
  },
  async () => {
    const scout = new OnnxEmbedder({ model: realDir!, dtype: 'fp32' });
    try {
      assert.equal(await scout.dimension(), 384);
      const [a, b, c] = await scout.embed([
        'A man is eating food.',
        'A man is eating a piece of bread.',
        'The new movie is awesome.',
      ]);
      assert.ok(dot(a!, b!) > dot(a!, c!) + 0.2, `paraphrase ${dot(a!, b!)} vs unrelated ${dot(a!, c!)}`);
      await assertPublishedSimilarities(scout, 1e-3);
    } finally {
      await scout.close();
    }
  },
);

test(
  'real all-MiniLM-L6-v2 in int8 (the default where safe): each vector the same alone or batched, close to fp32, the published similarities kept',
  {
    skip: realDir
      ? false
      : 'skipped: no model at SIFT_MODELS_DIR or ../shared/models/{sentence-transformers,Xenova}/all-MiniLM-L6-v2',
  },
  async () => {
    const int8 = new OnnxEmbedder({ model: realDir!, dtype: 'int8', int8Recipe: SCOUT_INT8_RECIPE });
    const fp32 = new OnnxEmbedder({ model: realDir!, dtype: 'fp32' });
    try {
      await assertInt8VectorsStable(int8, fp32, TEXTS, {
        batchSize: 5,
        // The empty text ([CLS] [SEP] alone) sits furthest from fp32: 0.974 (real queries of 1-5 words 0.993-0.997).
        minCosine: (text) => (text === '' ? 0.97 : 0.99),
      });
      await assertPublishedSimilarities(int8, 0.02);
    } finally {
      await int8.close();
      await fp32.close();
    }
  },
);

test('an alias resolves to the canonical model name stores record', () => {
  assert.equal(new OnnxEmbedder({ model: 'all-MiniLM-L6-v2' }).model, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.equal(new OnnxEmbedder({ model: 'Xenova/all-MiniLM-L6-v2' }).model, 'sentence-transformers/all-MiniLM-L6-v2');
});

test("the scout's default dtype: int8 for all-MiniLM-L6-v2 where 8-bit weights are safe, else fp32; an explicit dtype wins", () => {
  assert.equal(defaultScoutDtype('sentence-transformers/all-MiniLM-L6-v2', true), 'int8');
  assert.equal(defaultScoutDtype('all-MiniLM-L6-v2', true), 'int8', 'by alias');
  assert.equal(defaultScoutDtype('all-MiniLM-L6-v2', false), 'fp32', 'a CPU that would need another recipe');
  assert.equal(defaultScoutDtype('BAAI/bge-small-en-v1.5', true), 'fp32', 'a model never measured');
  assert.equal(defaultScoutDtype('/models/my-embedder', true), 'fp32', 'a folder');
  assert.equal(new OnnxEmbedder({ model: 'all-MiniLM-L6-v2' }).dtype, defaultScoutDtype('all-MiniLM-L6-v2'));
  assert.equal(new OnnxEmbedder({ model: 'all-MiniLM-L6-v2', dtype: 'int8' }).dtype, 'int8');
  assert.equal(new OnnxEmbedder({ model: 'all-MiniLM-L6-v2', dtype: 'fp32' }).dtype, 'fp32');
  assert.equal(new OnnxEmbedder({ model: 'all-MiniLM-L6-v2', dtype: 'fp32' }).int8Recipe, undefined);
});
