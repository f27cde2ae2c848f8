/** The shape of a BERT encoder, as in `config.json`. */
export interface BertShape {
  layers: number;
  hidden: number;
  intermediate: number;
}

/** MiniLM-L6-H384: both the judge (ms-marco-MiniLM-L-6-v2) and the scout (all-MiniLM-L6-v2). */
export const MINILM_L6: BertShape = { layers: 6, hidden: 384, intermediate: 1536 };

/**
 * Floating-point operations of one BERT encoder pass over a sequence of `tokens` tokens, counting
 * the matrix products only (2 FLOPs per multiply-add), as FLOP counts of transformers usually do
 * (Kaplan et al. 2020, table 1): per layer, the Q, K, V and output projections (4·h² per token),
 * the feed-forward pair (2·h·i per token), and attention scores and context (2·s²·h each).
 * Embedding lookups, LayerNorm, softmax, GELU and the one-logit head add under 1 % and are left out.
 *
 * @example
 * bertForwardFlops(MINILM_L6, 128) // 2.77e9: 21.2 MFLOP per token of projections, 0.5 GFLOP of attention
 */
export function bertForwardFlops(shape: BertShape, tokens: number): number {
  const { layers, hidden: h, intermediate: i } = shape;
  const projections = 2 * tokens * (4 * h * h + 2 * h * i);
  const attention = 2 * 2 * tokens * tokens * h;
  return layers * (projections + attention);
}

/** FLOPs of scoring sequences of these lengths (real tokens, padding not counted: padding is waste, not work). */
export function pairsFlops(shape: BertShape, lengths: readonly number[]): number {
  return lengths.reduce((sum, n) => sum + bertForwardFlops(shape, n), 0);
}
