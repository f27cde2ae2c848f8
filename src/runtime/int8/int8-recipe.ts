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
  /**
   * SmoothQuant-style migration for a static recipe (default none; see `Smoothing` in quantize-graph):
   * every int8 input is divided per channel by `range^alpha / weightRange^(1 - alpha)` (the weights'
   * rows multiplied back), and each input wider than the narrowest (the FFN's GELU outputs) instead
   * sends its `outliers` widest channels to a small float32 product. Ranges come from the same
   * calibration as the static ranges.
   */
  smoothing?: { alpha: number; outliers: number };
}

/**
 * sift's general int8 recipe (the judge's, and any model's without its own): 7-bit per-channel weights,
 * every weight MatMul int8. Safe on every CPU (see `int8WeightsSafe`).
 */
export const SIFT_INT8_RECIPE: Int8Recipe = { id: 'w7', weights: SIFT_INT8_WEIGHTS, keepFloat: [] };

/**
 * The judge's int8 recipe for the models it was measured on (the default judge, where full 8-bit
 * weights are safe; see `judgeInt8Recipe` in src/reranking/cross-encoder.ts), chosen by measurement
 * (bench/RESULTS.md, "The judge: int8 that ranks like fp32, by default"): 8-bit per-channel weights
 * and every MatMul int8, static activation ranges calibrated on the built-in (query, passage) pairs,
 * SmoothQuant (alpha 0.5) on the hidden-width inputs and the 4 widest channels of each FFN GELU output
 * in a float32 side product. On
 * SciFact test it ranked like fp32 (Spearman 0.9987-0.9995 on two cross-encoder heads, nDCG@10 within
 * 0.003) at ~2x fp32's speed; a pair's score is the same in any batch.
 */
export const JUDGE_INT8_RECIPE: Int8Recipe = {
  id: 'judge-s8o',
  weights: { type: 'int8', reduceRange: false },
  keepFloat: [],
  activations: 'static',
  calibration: 'pairs',
  smoothing: { alpha: 0.5, outliers: 4 },
};

/**
 * The judge's general int8 recipe (any other model, and CPUs where only 7-bit weights are safe): sift's
 * general 7-bit per-channel weights, every MatMul int8, static ranges on the built-in pairs. On the
 * default judge's architecture it ranks less like fp32 than {@link JUDGE_INT8_RECIPE} (Spearman 0.991,
 * nDCG@10 -0.011 on SciFact test with a trained head), so it is never a default; on a tiny generated
 * network (hidden size 32), where smoothing hurt, it stays closer to fp32.
 */
export const JUDGE_INT8_RECIPE_7BIT: Int8Recipe = {
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
