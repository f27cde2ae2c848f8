/**
 * Turns a cross-encoder's raw outputs into relevance scores in 0..1.
 *
 * One-logit heads (ms-marco MiniLM, bge-reranker) were trained with a binary cross-entropy loss on
 * the logit, so sigmoid(logit) is the model's probability of relevance. Two-logit heads were trained
 * with softmax cross-entropy; the positive class probability is softmax(l)[1] = sigmoid(l1 - l0), so
 * both cases reduce to a sigmoid of one number, which sift also reports as `logit`.
 * (A softmax over a single logit, as a generic text-classification pipeline does, is always 1.0.)
 */

/** Numerically stable logistic function. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Relevance logit and score of one row of a `[rows, numLabels]` logits tensor. */
export function pairScore(logits: ArrayLike<number>, row: number, numLabels: number): { logit: number; score: number } {
  const logit = numLabels === 1 ? logits[row]! : logits[row * numLabels + 1]! - logits[row * numLabels]!;
  return { logit, score: sigmoid(logit) };
}
