import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { OnnxEmbedder } from '../../../src/embedding/onnx-embedder.js';
import { int8WeightsSafe } from '../../../src/runtime/int8/cpu-features.js';
import { int8ModelFile } from '../../../src/runtime/int8/int8-model-file.js';
import {
  int8RecipeTag,
  JUDGE_INT8_RECIPE,
  JUDGE_INT8_RECIPE_7BIT,
  SCOUT_INT8_RECIPE,
  scoutInt8Recipe,
  SIFT_INT8_RECIPE,
  type Int8Recipe,
} from '../../../src/runtime/int8/int8-recipe.js';
import { SIFT_INT8_VERSION } from '../../../src/runtime/int8/quantize-graph.js';
import { expectSiftError } from '../../support/expect-sift-error.js';
import { assertInt8VectorsStable } from '../../support/int8-vectors.js';
import { testModelDir } from '../../support/test-models.js';

const cpuinfo = (flags: string): string =>
  `processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 ${flags}\nbugs\t\t: sysret_ss_attrs\n`;

test('int8WeightsSafe: 8-bit weights only with VNNI on x86, on other architectures always, unknown x86 never', () => {
  assert.equal(int8WeightsSafe(cpuinfo('avx2 avx512f avx512_vnni'), 'x64'), true);
  assert.equal(int8WeightsSafe(cpuinfo('avx2 avx_vnni'), 'x64'), true);
  assert.equal(
    int8WeightsSafe(cpuinfo('avx2 avx512f avx512bw'), 'x64'),
    false,
    'AVX2/AVX-512 without VNNI can saturate',
  );
  assert.equal(int8WeightsSafe(cpuinfo('avx2 avx512_vnnix'), 'x64'), false, 'whole flags only');
  assert.equal(int8WeightsSafe(null, 'x64'), false, 'no /proc/cpuinfo on x86: the safe choice');
  assert.equal(int8WeightsSafe(null, 'arm64'), true);
});

test("the scout's int8 recipe: 8-bit, static ranges, layer 0's FFN output projection fp32 where safe, else sift's 7-bit; tagged with the version", () => {
  assert.equal(scoutInt8Recipe(true), SCOUT_INT8_RECIPE);
  assert.deepEqual(SCOUT_INT8_RECIPE.weights, { type: 'int8', reduceRange: false });
  assert.deepEqual(SCOUT_INT8_RECIPE.keepFloat, ['/encoder/layer.0/output/dense/MatMul']);
  assert.equal(SCOUT_INT8_RECIPE.activations, 'static');
  assert.equal(scoutInt8Recipe(false), SIFT_INT8_RECIPE);
  assert.equal(SIFT_INT8_RECIPE.activations, undefined, 'the general recipe keeps per-batch ranges');
  assert.deepEqual(SIFT_INT8_RECIPE.weights, { type: 'int8', reduceRange: true });
  assert.equal(int8RecipeTag(SCOUT_INT8_RECIPE), `scout-s8.v${SIFT_INT8_VERSION}`);
  assert.notEqual(int8RecipeTag(SCOUT_INT8_RECIPE), int8RecipeTag(SIFT_INT8_RECIPE));
});

test("the judge's int8 recipes: 8-bit, static ranges on pairs, smoothing and 4 outlier channels; the general one 7-bit static without them", () => {
  assert.deepEqual(JUDGE_INT8_RECIPE.weights, { type: 'int8', reduceRange: false });
  assert.deepEqual(JUDGE_INT8_RECIPE.keepFloat, []);
  assert.equal(JUDGE_INT8_RECIPE.activations, 'static');
  assert.equal(JUDGE_INT8_RECIPE.calibration, 'pairs');
  assert.deepEqual(JUDGE_INT8_RECIPE.smoothing, { alpha: 0.5, outliers: 4 });
  assert.deepEqual(JUDGE_INT8_RECIPE_7BIT.weights, SIFT_INT8_RECIPE.weights, "sift's general 7-bit weights");
  assert.equal(JUDGE_INT8_RECIPE_7BIT.activations, 'static');
  assert.equal(JUDGE_INT8_RECIPE_7BIT.smoothing, undefined);
  assert.notEqual(int8RecipeTag(JUDGE_INT8_RECIPE), int8RecipeTag(JUDGE_INT8_RECIPE_7BIT));
});

test("int8ModelFile smooths a recipe's inputs and splits the wide ones' outlier channels from one calibration", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sift-int8-smooth-'));
  try {
    const dir = await testModelDir('reranker');
    const source = join(dir, 'onnx', 'model.onnx');
    const tokenizer = join(dir, 'tokenizer.json');
    const { smoothing: _, ...rest } = JUDGE_INT8_RECIPE;
    const plain: Int8Recipe = { ...rest, id: 'test-s8' };
    const nodesOf = async (file: string) => onnxProto.onnx.ModelProto.decode(await readFile(file)).graph?.node ?? [];
    const smoothed = await nodesOf(await int8ModelFile(source, cacheDir, JUDGE_INT8_RECIPE, tokenizer));
    const unsmoothed = await nodesOf(await int8ModelFile(source, cacheDir, plain, tokenizer));
    const named = (nodes: typeof smoothed, part: string) => nodes.filter((n) => (n.name ?? '').includes(part)).length;
    const splitInputs = named(smoothed, '_outlier_Gather');
    assert.ok(splitInputs > 0, 'the FFN GELU outputs send outlier channels to float32');
    assert.equal(named(smoothed, '_outlier_MatMul'), splitInputs, 'one float32 side product per split input');
    assert.ok(named(smoothed, '_smooth_Mul') > 0, 'the other inputs are smoothed');
    assert.equal(named(smoothed, '_inlier_Mul'), 0, 'a static range leaves outlier channels out without a mask');
    assert.equal(named(unsmoothed, '_smooth_Mul') + named(unsmoothed, '_outlier_Gather'), 0);
    assert.ok(!smoothed.some((n) => n.opType === 'DynamicQuantizeLinear'), 'static ranges throughout');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('int8ModelFile applies the recipe (weights and kept-float MatMuls) and caches each recipe apart', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sift-int8-recipe-'));
  try {
    const source = join(await testModelDir('embedder'), 'onnx', 'model.onnx');
    const graph = onnxProto.onnx.ModelProto.decode(await readFile(source)).graph!;
    const weights = new Set((graph.initializer ?? []).map((t) => t.name));
    const kept = (graph.node ?? []).find((n) => n.opType === 'MatMul' && weights.has(n.input?.[1] ?? ''))!.name!;
    const recipe: Int8Recipe = { id: 'test-w8', weights: { type: 'int8', reduceRange: false }, keepFloat: [kept] };
    const general = await int8ModelFile(source, cacheDir);
    const mixed = await int8ModelFile(source, cacheDir, recipe);
    assert.notEqual(mixed, general, 'one cached file per recipe');
    assert.equal(await int8ModelFile(source, cacheDir, recipe), mixed, 'the same recipe reuses its file');
    const nodes = async (file: string) => onnxProto.onnx.ModelProto.decode(await readFile(file)).graph?.node ?? [];
    assert.ok(
      (await nodes(mixed)).some((n) => n.name === kept && n.opType === 'MatMul'),
      'kept in float32',
    );
    assert.ok(!(await nodes(general)).some((n) => n.name === kept && n.opType === 'MatMul'), 'int8 by default');
    const weightsOf = async (file: string) =>
      onnxProto.onnx.ModelProto.decode(await readFile(file))
        .graph!.initializer!.filter(
          (t) => t.dataType === onnxProto.onnx.TensorProto.DataType.INT8 && t.dims?.length === 2,
        )
        .map((t) =>
          Math.max(...new Int8Array(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength).map(Math.abs)),
        );
    assert.ok(Math.max(...(await weightsOf(general))) <= 64, '7-bit weights in the general recipe');
    assert.equal(Math.max(...(await weightsOf(mixed))), 127, '8-bit weights use the full range');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("an int8 scout reports its dtype and this CPU's recipe; an fp32 scout has no recipe", async () => {
  const model = await testModelDir('embedder');
  const int8 = new OnnxEmbedder({ model, dtype: 'int8' });
  const fp32 = new OnnxEmbedder({ model, dtype: 'fp32' });
  assert.equal(int8.dtype, 'int8');
  assert.equal(int8.int8Recipe, int8RecipeTag(scoutInt8Recipe()));
  assert.equal(fp32.dtype, 'fp32');
  assert.equal(fp32.int8Recipe, undefined);
  await int8.close();
  await fp32.close();
});

test("a static recipe is calibrated with the model's tokenizer into fused kernels; without a tokenizer it is refused", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sift-int8-static-'));
  try {
    const dir = await testModelDir('embedder');
    const source = join(dir, 'onnx', 'model.onnx');
    const recipe: Int8Recipe = {
      id: 'test-s8',
      weights: { type: 'int8', reduceRange: false },
      keepFloat: [],
      activations: 'static',
    };
    await expectSiftError(int8ModelFile(source, cacheDir, recipe), 'INVALID_INPUT', /needs the model's tokenizer/);
    const file = await int8ModelFile(source, cacheDir, recipe, join(dir, 'tokenizer.json'));
    const ops = (onnxProto.onnx.ModelProto.decode(await readFile(file)).graph?.node ?? []).map((n) => n.opType);
    assert.ok(ops.includes('MatMulIntegerToFloat') && ops.includes('QuantizeLinear'), ops.join(' '));
    assert.ok(!ops.includes('DynamicQuantizeLinear'), 'no range is taken per batch');
    assert.notEqual(file, await int8ModelFile(source, cacheDir), 'cached apart from the dynamic recipe');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test("the int8 scout's vectors do not depend on their batch neighbours, and stay close to fp32", async () => {
  const model = await testModelDir('embedder');
  const texts = [
    'A man is eating food.',
    'The girl is carrying a baby.',
    'Berlin has 3.5 million people. '.repeat(6),
    'hi',
  ];
  const int8 = new OnnxEmbedder({ model, dtype: 'int8', int8Recipe: SCOUT_INT8_RECIPE });
  const fp32 = new OnnxEmbedder({ model, dtype: 'fp32' });
  try {
    await assertInt8VectorsStable(int8, fp32, texts, { batchSize: 4, minCosine: () => 0.98 });
  } finally {
    await int8.close();
    await fp32.close();
  }
});
