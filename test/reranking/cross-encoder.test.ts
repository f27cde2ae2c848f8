import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { JUDGE_INT8_RECIPE, JUDGE_INT8_RECIPE_7BIT, SIFT_INT8_RECIPE } from '../../src/runtime/int8/int8-recipe.js';
import {
  CrossEncoderReranker,
  defaultJudgeDtype,
  judgeInt8Recipe,
  DEFAULT_POOLED_RERANK_BATCH_SIZE,
  DEFAULT_RERANK_BATCH_SIZE,
} from '../../src/reranking/cross-encoder.js';
import { sigmoid } from '../../src/reranking/scores.js';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';
import { isSiftError } from '../../src/errors.js';
import { realModelDir, testModelDir } from '../support/test-models.js';

const QUERY = 'How many people live in Berlin?';
const PASSAGES = [
  'Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.',
  'Berlin is well known for its museums.',
  'Paris',
  'The city of Berlin is the capital of Germany and its most populous city, with around 3.7 million people living within the city limits, which makes it the most populous city in the European Union. '.repeat(
    3,
  ),
  'Population statistics',
  'Ein Berliner ist ein Einwohner Berlins; die Stadt hat etwa 3,8 Millionen Einwohner.',
];

test('a pair scores the same alone and inside any mixed-length batch (within 1e-5)', async () => {
  // fp32: a float graph's scores do not depend on batch neighbours at any batch size (int8 with static
  // activation ranges neither: the next test).
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker'), dtype: 'fp32' });
  try {
    const alone = await Promise.all(
      PASSAGES.map(async (p) => (await judge.scorePairs(QUERY, [p], { batchSize: 1 })).logits[0]!),
    );
    for (const batchSize of [2, 3, 4, 64]) {
      const together = await judge.scorePairs(QUERY, PASSAGES, { batchSize });
      together.logits.forEach((l, i) =>
        assert.ok(Math.abs(l - alone[i]!) < 1e-5, `batch ${batchSize}, pair ${i}: ${l} vs ${alone[i]}`),
      );
    }
    // Distinct passages get distinct scores, so the equality above is not a constant model's.
    assert.ok(new Set(alone.map((l) => l.toFixed(4))).size >= 4, `logits too alike: ${alone.join(', ')}`);
  } finally {
    await judge.close();
  }
});

test('int8 (static ranges) scores a pair the same in any candidate list and at any batch size, near fp32', async () => {
  const model = await testModelDir('reranker');
  const judge = new CrossEncoderReranker({ model, dtype: 'int8' });
  const fp32 = new CrossEncoderReranker({ model, dtype: 'fp32' });
  // A dynamic-range recipe (one activation range per batch) keeps its default of one pair a batch.
  const dynamic = new CrossEncoderReranker({ model, dtype: 'int8', int8Recipe: SIFT_INT8_RECIPE });
  try {
    assert.equal((await judge.load()).dtype, 'int8');
    const alone = await Promise.all(
      PASSAGES.map(async (p) => (await judge.scorePairs(QUERY, [p], { batchSize: 1 })).logits[0]!),
    );
    const together = await judge.scorePairs(QUERY, PASSAGES);
    for (const batchSize of [2, 3, 4, 64]) {
      const batched = await judge.scorePairs(QUERY, PASSAGES, { batchSize });
      batched.logits.forEach((l, i) =>
        assert.ok(Math.abs(l - alone[i]!) < 1e-5, `batch ${batchSize}, pair ${i}: ${l} vs ${alone[i]} alone`),
      );
    }
    const reversed = await judge.scorePairs(QUERY, [...PASSAGES].reverse());
    reversed.logits.forEach((l, i) =>
      assert.ok(Math.abs(l - alone[PASSAGES.length - 1 - i]!) < 1e-5, `reversed pair ${i}`),
    );
    const dynamicAlone = await Promise.all(
      PASSAGES.map(async (p) => (await dynamic.scorePairs(QUERY, [p])).logits[0]!),
    );
    (await dynamic.scorePairs(QUERY, PASSAGES)).logits.forEach((l, i) =>
      assert.ok(
        Math.abs(l - dynamicAlone[i]!) < 1e-5,
        `dynamic recipe, pair ${i}: ${l} in the list vs ${dynamicAlone[i]}`,
      ),
    );
    // Quantized, not the float graph under another name: close to fp32 but not equal to it.
    const reference = (await fp32.scorePairs(QUERY, PASSAGES)).logits;
    const diffs = [...together.logits].map((l, i) => Math.abs(l - reference[i]!));
    assert.ok(Math.max(...diffs) > 0, 'int8 logits differ from fp32 somewhere');
    const span = Math.max(...reference) - Math.min(...reference);
    assert.ok(
      Math.max(...diffs) < 0.25 * span,
      `int8 logits stay near fp32's (max diff ${Math.max(...diffs)}, span ${span})`,
    );
  } finally {
    await judge.close();
    await fp32.close();
    await dynamic.close();
  }
});

test('rerank sorts by relevance, restores input indices, keeps documents and metadata untouched', async () => {
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  try {
    const docs = PASSAGES.map((text, i) =>
      Object.freeze({ text, source: `doc-${i}.md`, meta: Object.freeze({ n: i }) }),
    );
    const before = JSON.stringify(docs);
    const { results, model } = await judge.rerank(QUERY, docs, { batchSize: 4 });
    assert.equal(JSON.stringify(docs), before, 'input not mutated');
    assert.equal(model, judge.model);
    assert.equal(results.length, docs.length);
    const raw = await judge.scorePairs(QUERY, PASSAGES);
    const expected = [...raw.logits.keys()].sort((a, b) => raw.logits[b]! - raw.logits[a]! || a - b);
    assert.deepEqual(
      results.map((r) => r.index),
      expected,
    );
    for (const r of results) {
      assert.equal(r.document, docs[r.index], 'the same object comes back');
      assert.equal(r.text, PASSAGES[r.index]);
      assert.ok(r.score >= 0 && r.score <= 1);
      assert.ok(Math.abs(r.score - sigmoid(r.logit)) < 1e-12);
    }
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.score >= results[i]!.score);
    const top2 = await judge.rerank(QUERY, PASSAGES, { topK: 2 });
    assert.deepEqual(
      top2.results.map((r) => r.index),
      expected.slice(0, 2),
    );
  } finally {
    await judge.close();
  }
});

test('equal scores keep input order', async () => {
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  try {
    const docs = ['same text', 'other text', 'same text', 'same text'];
    const { results } = await judge.rerank('q', docs);
    const same = results.filter((r) => r.text === 'same text').map((r) => r.index);
    assert.deepEqual(same, [0, 2, 3]);
  } finally {
    await judge.close();
  }
});

test('one-logit scores are sigmoid(logit) of the graph output; two-logit scores are the positive-class softmax', async () => {
  const tokenizerPath = join(await testModelDir('reranker'), 'tokenizer.json');
  const { tokenizer } = await loadTokenizer(tokenizerPath);
  const enc = tokenizer.encode(QUERY, { text_pair: PASSAGES[0], return_token_type_ids: true });
  const feeds = (names: readonly string[]) => {
    const t = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length]);
    const all: Record<string, ort.Tensor> = {
      input_ids: t(enc.ids),
      attention_mask: t(enc.attention_mask),
      token_type_ids: t(enc.token_type_ids),
    };
    return Object.fromEntries(names.map((n) => [n, all[n]!]));
  };
  for (const kind of ['reranker', 'reranker-2logit', 'reranker-no-token-types'] as const) {
    const dir = await testModelDir(kind);
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
    const logits = Array.from((await session.run(feeds(session.inputNames))).logits!.data as Float32Array);
    await session.release();
    const judge = new CrossEncoderReranker({ model: dir, dtype: 'fp32' });
    try {
      const [r] = (await judge.rerank(QUERY, [PASSAGES[0]!])).results;
      const expectedLogit = logits.length === 1 ? logits[0]! : logits[1]! - logits[0]!;
      const expectedScore =
        logits.length === 1
          ? 1 / (1 + Math.exp(-logits[0]!))
          : Math.exp(logits[1]!) / (Math.exp(logits[0]!) + Math.exp(logits[1]!));
      assert.ok(Math.abs(r!.logit - expectedLogit) < 1e-4, `${kind}: logit ${r!.logit} vs ${expectedLogit}`);
      assert.ok(Math.abs(r!.score - expectedScore) < 1e-5, `${kind}: score ${r!.score} vs ${expectedScore}`);
      assert.equal((await judge.load()).numLabels, kind === 'reranker-2logit' ? 2 : 1);
    } finally {
      await judge.close();
    }
  }
});

test('long passages are truncated to maxLength and counted; short ones are not', async () => {
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  try {
    const long = 'Berlin population census data for every district. '.repeat(200);
    const response = await judge.rerank(QUERY, ['short passage', long, long], { maxLength: 64 });
    assert.equal(response.truncatedPairs, 2);
    assert.deepEqual(response.results.map((r) => r.truncated).sort(), [false, true, true]);
    await assert.rejects(
      judge.rerank(QUERY, ['x'], { maxLength: 4096 }),
      (err) => isSiftError(err, 'INVALID_OPTION') && /512/.test(err.message),
    );
  } finally {
    await judge.close();
  }
});

test('empty input returns no results without loading a model', async () => {
  const judge = new CrossEncoderReranker({ model: '/nonexistent/model/folder', offline: true });
  const response = await judge.rerank('anything', []);
  assert.deepEqual(response.results, []);
  await judge.close();
});

test('bad input is refused naming the problem', async () => {
  const judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  try {
    await assert.rejects(
      judge.rerank('   ', ['doc']),
      (err) => isSiftError(err, 'INVALID_INPUT') && /query is empty/.test(err.message),
    );
    await assert.rejects(
      judge.rerank('q', ['ok', { title: 'no text' } as unknown as string]),
      (err) => isSiftError(err, 'INVALID_INPUT') && /document 1/.test(err.message),
    );
    await assert.rejects(judge.rerank('q', ['a'], { batchSize: 0 }), (err) => isSiftError(err, 'INVALID_OPTION'));
  } finally {
    await judge.close();
  }
});

test('a folder that is not a usable cross-encoder is refused with a message naming the problem', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sift-bad-models-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const good = await testModelDir('reranker');

  // An embedder (last_hidden_state, no logits) used as a judge.
  const embedder = new CrossEncoderReranker({ model: await testModelDir('embedder') });
  await assert.rejects(
    embedder.rerank('q', ['d']),
    (err) => isSiftError(err, 'MODEL_INVALID') && /logits/.test(err.message) && /last_hidden_state/.test(err.message),
  );

  // A truncated ONNX file, as a killed download leaves it.
  const truncated = join(root, 'truncated');
  await mkdir(join(truncated, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json']) await copyFile(join(good, f), join(truncated, f));
  const bytes = await readFile(join(good, 'onnx', 'model.onnx'));
  await writeFile(join(truncated, 'onnx', 'model.onnx'), bytes.subarray(0, Math.floor(bytes.length / 3)));
  const broken = new CrossEncoderReranker({ model: truncated });
  await assert.rejects(
    broken.rerank('q', ['d']),
    (err) => isSiftError(err, 'MODEL_INVALID') && /not a loadable ONNX model/.test(err.message),
  );

  // No ONNX file at all.
  const empty = join(root, 'no-onnx');
  await mkdir(empty, { recursive: true });
  for (const f of ['config.json', 'tokenizer.json']) await copyFile(join(good, f), join(empty, f));
  const missing = new CrossEncoderReranker({ model: empty });
  await assert.rejects(missing.rerank('q', ['d']), (err) => isSiftError(err) && /onnx\/model/.test(err.message));
});

const realDir =
  realModelDir('cross-encoder', 'ms-marco-MiniLM-L-6-v2') ?? realModelDir('Xenova', 'ms-marco-MiniLM-L-6-v2');
test(
  'real ms-marco-MiniLM-L-6-v2 (fp32) gives the published logits for the Berlin pairs',
  {
    skip: realDir
      ? false
      : 'skipped: no model at SIFT_MODELS_DIR or ../shared/models/{cross-encoder,Xenova}/ms-marco-MiniLM-L-6-v2',
  },
  async () => {
    const judge = new CrossEncoderReranker({ model: realDir!, dtype: 'fp32' });
    try {
      const { results } = await judge.rerank(QUERY, PASSAGES.slice(0, 2));
      assert.equal(results[0]!.index, 0);
      assert.ok(Math.abs(results[0]!.logit - 8.607) < 0.01, `logit ${results[0]!.logit}`);
      assert.ok(Math.abs(results[1]!.logit - -4.32) < 0.01, `logit ${results[1]!.logit}`);
    } finally {
      await judge.close();
    }
  },
);

test('an alias resolves to the canonical model name shown in results', () => {
  assert.equal(
    new CrossEncoderReranker({ model: 'ms-marco-MiniLM-L-6-v2' }).model,
    'cross-encoder/ms-marco-MiniLM-L-6-v2',
  );
  assert.equal(
    new CrossEncoderReranker({ model: 'Xenova/ms-marco-MiniLM-L-6-v2' }).model,
    'cross-encoder/ms-marco-MiniLM-L-6-v2',
  );
});

test("the judge's default dtype and int8 recipe: int8 with the measured recipe for ms-marco-MiniLM-L-6-v2 where 8-bit weights are safe, else fp32 and the general recipe", async () => {
  assert.equal(defaultJudgeDtype('cross-encoder/ms-marco-MiniLM-L-6-v2', true), 'int8');
  assert.equal(defaultJudgeDtype('ms-marco-MiniLM-L6-v2', true), 'int8', 'by alias');
  assert.equal(defaultJudgeDtype('ms-marco-MiniLM-L-6-v2', false), 'fp32', 'a CPU that would need the 7-bit recipe');
  assert.equal(defaultJudgeDtype('cross-encoder/ms-marco-MiniLM-L-12-v2', true), 'fp32', 'a model never measured');
  assert.equal(defaultJudgeDtype('BAAI/bge-reranker-base', true), 'fp32');
  assert.equal(defaultJudgeDtype('/models/my-judge', true), 'fp32', 'a folder');
  assert.equal(judgeInt8Recipe('ms-marco-MiniLM-L-6-v2', true), JUDGE_INT8_RECIPE, 'the measured recipe');
  assert.equal(judgeInt8Recipe('ms-marco-MiniLM-L-6-v2', false), JUDGE_INT8_RECIPE_7BIT);
  assert.equal(judgeInt8Recipe('BAAI/bge-reranker-base', true), JUDGE_INT8_RECIPE_7BIT, 'the general recipe');
  assert.equal(judgeInt8Recipe('/models/my-judge', true), JUDGE_INT8_RECIPE_7BIT);
  const model = await testModelDir('reranker');
  const folder = new CrossEncoderReranker({ model });
  const fp32 = new CrossEncoderReranker({ model: await testModelDir('reranker'), dtype: 'fp32' });
  try {
    assert.equal((await folder.load()).dtype, 'fp32', 'an unmeasured folder loads fp32');
    assert.equal((await fp32.load()).dtype, 'fp32');
  } finally {
    await folder.close();
    await fp32.close();
  }
});

test('on a pool of two workers the judge runs batches of 2 side by side, with the scores of one in-process session', async () => {
  const model = await testModelDir('reranker');
  const pooled = new CrossEncoderReranker({ model, dtype: 'fp32', session: { threads: 2, workers: 2 } });
  const single = new CrossEncoderReranker({ model, dtype: 'fp32', session: { threads: 2, workers: 1 } });
  try {
    const a = await pooled.scorePairs(QUERY, PASSAGES);
    const b = await single.scorePairs(QUERY, PASSAGES);
    assert.equal(a.batches, Math.ceil(PASSAGES.length / DEFAULT_POOLED_RERANK_BATCH_SIZE));
    assert.equal(b.batches, Math.ceil(PASSAGES.length / DEFAULT_RERANK_BATCH_SIZE));
    a.logits.forEach((l, i) => assert.ok(Math.abs(l - b.logits[i]!) < 1e-5, `pair ${i}: ${l} vs ${b.logits[i]}`));
    const ranked = await pooled.rerank(QUERY, PASSAGES, { topK: 3 });
    assert.deepEqual(
      ranked.results.map((r) => r.index),
      (await single.rerank(QUERY, PASSAGES, { topK: 3 })).results.map((r) => r.index),
    );
  } finally {
    await pooled.close();
    await single.close();
  }
});
