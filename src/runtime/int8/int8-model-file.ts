import { readFile } from 'node:fs/promises';
import { SiftError } from '../../errors.js';
import { loadTokenizer } from '../../tokenization/load-tokenizer.js';
import { absoluteRanges, calibrateChannelRanges, type ChannelRanges } from './calibrate-activations.js';
import { calibrationSequences } from './calibration-sequences.js';
import { derivedSlot, findDerived, writeDerived } from '../derived-file.js';
import { SIFT_INT8_RECIPE, type Int8Recipe } from './int8-recipe.js';
import { quantizableModel, quantizeGraph, SIFT_INT8_VERSION, type Smoothing } from './quantize-graph.js';

/**
 * The int8 file sift derives from a float32 ONNX model (see {@link quantizeGraph}), made on first use
 * by `recipe` (default sift's general {@link SIFT_INT8_RECIPE}; the scout passes its own) and kept in
 * `<cacheDir>/.sift-int8/` (or the system temp folder when the cache is read-only), keyed by the
 * source's real path, size and modification time, the recipe and sift's int8 version. Later loads open the
 * cached file directly. Written atomically: a concurrent loader sees the whole file or none. A
 * recipe with static activations is calibrated on sift's built-in texts, tokenized by the model's
 * tokenizer (`tokenizerPath`, required then), so its file is the same on every machine.
 *
 * @example await int8ModelFile('/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model.onnx', '~/.cache/sift/models')
 * // -> '~/.cache/sift/models/.sift-int8/3f2a9c1b7d4e5a61.onnx'
 */
export async function int8ModelFile(
  fp32Path: string,
  cacheDir: string,
  recipe: Int8Recipe = SIFT_INT8_RECIPE,
  tokenizerPath?: string,
): Promise<string> {
  const slot = await derivedSlot(fp32Path, cacheDir, 'int8', [SIFT_INT8_VERSION, recipe]);
  const cached = await findDerived(slot, `${slot.key}.onnx`);
  if (cached) return cached;
  const keep = new Set(recipe.keepFloat);
  const fp32 = await readFile(slot.source);
  // A graph sift cannot rewrite is refused (MODEL_INVALID) before a calibration run could fail on it.
  quantizableModel(fp32);
  const ranges = recipe.activations === 'static' ? await staticRanges(fp32, recipe, tokenizerPath) : undefined;
  const smoothing = ranges && recipe.smoothing ? recipeSmoothing(ranges, recipe.smoothing) : undefined;
  const { bytes } = quantizeGraph(fp32, recipe.weights, (matMul) => keep.has(matMul), smoothing, ranges);
  return writeDerived(slot, `${slot.key}.onnx`, bytes);
}

/** Each weight MatMul input's range over sift's calibration texts (each alone) or pairs, by the recipe. */
async function staticRanges(
  fp32: Uint8Array,
  recipe: Int8Recipe,
  tokenizerPath: string | undefined,
): Promise<Map<string, ChannelRanges>> {
  if (tokenizerPath === undefined)
    throw new SiftError(
      'INVALID_INPUT',
      `int8 recipe ${recipe.id} calibrates static ranges and needs the model's tokenizer`,
    );
  const { tokenizer } = await loadTokenizer(tokenizerPath);
  return calibrateChannelRanges(fp32, calibrationSequences(tokenizer, recipe.calibration ?? 'texts'));
}

/**
 * A recipe's smoothing from its calibrated ranges: every input smoothed by its channels' largest
 * |value|, and the inputs wider than the narrowest (the FFN's GELU outputs) split at their widest channels.
 * Also how bench/support/int8-recipes.ts builds its `o<n>` recipes, so the bench measures this code.
 *
 * @example recipeSmoothing(await calibrateChannelRanges(fp32, pairs), { alpha: 0.5, outliers: 4 }).outliers?.size; // 6 for MiniLM-L6
 */
export function recipeSmoothing(
  ranges: Map<string, ChannelRanges>,
  settings: NonNullable<Int8Recipe['smoothing']>,
): Smoothing {
  const absolute = absoluteRanges(ranges);
  const narrowest = Math.min(...[...absolute.values()].map((r) => r.length));
  const wide = [...absolute].filter(([, r]) => r.length > narrowest).map(([name]) => name);
  return {
    ranges: absolute,
    alpha: settings.alpha,
    ...(settings.outliers > 0 ? { outliers: new Map(wide.map((name) => [name, settings.outliers])) } : {}),
  };
}
