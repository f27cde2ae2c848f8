import type { QuantizeOptions } from './quantize-weight.js';
import { int8WeightsSafe } from './cpu-features.js';
import { SIFT_INT8_VERSION, SIFT_INT8_WEIGHTS } from './quantize-graph.js';

/** How sift rewrites a float32 graph to int8: the weight quantization and the MatMuls left in float32. */
export interface Int8Recipe {
  /** Short stable name, part of the int8 file's cache key and of what a store records (see {@link int8RecipeTag}). */
  id: string;
  /** How MatMul weights are quantized. */
  weights: QuantizeOptions;
  /** Names of MatMul nodes left in float32. */
  keepFloat: readonly string[];
}

/**
 * sift's general int8 recipe (the judge's, and any model's without its own): 7-bit per-channel weights,
 * every weight MatMul int8. Safe on every CPU (see `int8WeightsSafe`).
 */
export const SIFT_INT8_RECIPE: Int8Recipe = { id: 'w7', weights: SIFT_INT8_WEIGHTS, keepFloat: [] };

/**
 * The scout's int8 recipe where full 8-bit weights are safe, chosen by measurement on the real
 * all-MiniLM-L6-v2 (bench/RESULTS.md, "int8 scout"): 8-bit per-channel weights, with layer 0's FFN
 * output projection (1 of 36 MatMuls) left in float32. On vectors embedded in the bench's batches,
 * nDCG@10 within 0.001 of fp32 pooled over the five sets (the 7-bit recipe -0.0038 on SciFact test,
 * 8-bit weights without the fp32 layer -0.0059 on SciFact train); through `sift ingest`'s batches
 * -0.0113 on SciFact test (activation ranges are per batch), so it is opt-in (`dtype: 'int8'`).
 */
export const SCOUT_INT8_RECIPE: Int8Recipe = {
  id: 'scout-w8',
  weights: { type: 'int8', reduceRange: false },
  keepFloat: ['/encoder/layer.0/output/dense/MatMul'],
};

/**
 * The scout's int8 recipe for this CPU: {@link SCOUT_INT8_RECIPE} where 8-bit weights are safe,
 * else sift's 7-bit {@link SIFT_INT8_RECIPE}. The scout's default dtype is fp32 (`DEFAULT_SCOUT_DTYPE`).
 */
export function scoutInt8Recipe(safe8Bit: boolean = int8WeightsSafe()): Int8Recipe {
  return safe8Bit ? SCOUT_INT8_RECIPE : SIFT_INT8_RECIPE;
}

/** The recipe and sift's int8 version, as a store records them: `scout-w8.v2`. */
export function int8RecipeTag(recipe: Int8Recipe): string {
  return `${recipe.id}.v${SIFT_INT8_VERSION}`;
}
