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
  /**
   * How activations are quantized: `dynamic` (default), one range per batch, so a text's output
   * depends slightly on its batch neighbours; `static`, one fixed range per MatMul input calibrated
   * once on sift's built-in texts (`CALIBRATION_PAIRS`, each text alone), so every text's output is
   * the same whatever it is batched with, in one fused kernel (see `quantizeGraph`).
   */
  activations?: 'dynamic' | 'static';
  /**
   * What static ranges are calibrated on (default `texts`): each built-in text alone, as a bi-encoder
   * reads them, or `pairs`, each built-in (query, passage) pair as a cross-encoder reads it.
   */
  calibration?: 'texts' | 'pairs';
}

/**
 * sift's general int8 recipe (the judge's, and any model's without its own): 7-bit per-channel weights,
 * every weight MatMul int8. Safe on every CPU (see `int8WeightsSafe`).
 */
export const SIFT_INT8_RECIPE: Int8Recipe = { id: 'w7', weights: SIFT_INT8_WEIGHTS, keepFloat: [] };

/**
 * The judge's int8 recipe (`dtype: 'int8'`; the judge's default dtype is fp32): sift's general 7-bit
 * per-channel weights, every weight MatMul int8, with static activation ranges calibrated on the
 * built-in (query, passage) pairs. A pair's score is then the same in any batch, so int8 runs in
 * batches of 4 like fp32 (one pair a batch with per-batch ranges), which on two threads is ~1.35x
 * faster (bench/RESULTS.md, "The judge in int8 with static ranges").
 */
export const JUDGE_INT8_RECIPE: Int8Recipe = {
  id: 'judge-s7',
  weights: SIFT_INT8_WEIGHTS,
  keepFloat: [],
  activations: 'static',
  calibration: 'pairs',
};

/**
 * The scout's int8 recipe where full 8-bit weights are safe, chosen by measurement on the real
 * all-MiniLM-L6-v2 (bench/RESULTS.md, "int8 scout"): 8-bit per-channel weights, layer 0's FFN output
 * projection (1 of 36 MatMuls) left in float32, and static activation ranges, so a chunk's vector
 * never depends on the chunks batched with it (with one range per batch, the same chunk landed at
 * cosine 0.995 of itself in two batchings, and `sift ingest`'s batches lost 0.0113 nDCG@10 on SciFact
 * test where the bench's had lost 0.0002).
 */
export const SCOUT_INT8_RECIPE: Int8Recipe = {
  id: 'scout-s8',
  weights: { type: 'int8', reduceRange: false },
  keepFloat: ['/encoder/layer.0/output/dense/MatMul'],
  activations: 'static',
};

/**
 * The scout's int8 recipe for this CPU: {@link SCOUT_INT8_RECIPE} where 8-bit weights are safe,
 * else sift's 7-bit {@link SIFT_INT8_RECIPE}. The scout's default dtype is `defaultScoutDtype`'s.
 */
export function scoutInt8Recipe(safe8Bit: boolean = int8WeightsSafe()): Int8Recipe {
  return safe8Bit ? SCOUT_INT8_RECIPE : SIFT_INT8_RECIPE;
}

/** The recipe and sift's int8 version, as a store records them: `scout-s8.v3`. */
export function int8RecipeTag(recipe: Int8Recipe): string {
  return `${recipe.id}.v${SIFT_INT8_VERSION}`;
}
