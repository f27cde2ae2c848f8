import type { Pooling } from '../models/model-spec.js';

/**
 * Sentence vectors from token vectors. Mean pooling averages the vectors of real tokens only
 * (attention mask 1), as sentence-transformers' Pooling module does; CLS pooling takes the first
 * token's vector (bge models were trained that way). Padding never reaches the result.
 *
 * @param hidden `[rows, width, dim]` row-major token vectors
 * @param lengths real tokens per row (the rest is padding)
 */
export function poolAndNormalize(
  hidden: Float32Array,
  rows: number,
  width: number,
  dim: number,
  lengths: readonly number[],
  pooling: Pooling,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const v = new Float32Array(dim);
    const base = r * width * dim;
    const n = pooling === 'cls' ? 1 : Math.max(1, lengths[r]!);
    for (let t = 0; t < n; t++) {
      const off = base + t * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden[off + d]!;
    }
    out.push(normalize(v));
  }
  return out;
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}
