import { endianness } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { EncodedSequence } from '../tokenization/pair-encoder.js';
import type { ModelSession } from './onnx-session.js';

/**
 * Groups sequence indices into batches of similar length. Sorting by length before batching means
 * each batch pads only to its own longest member (dynamic padding), so 20 candidates of mixed
 * length cost close to their real token count instead of 20 x the longest. Longest first, so a
 * batch that does not fit in memory fails at once. Ties keep input order, so plans are stable.
 *
 * @example
 * lengthSortedBatches([5, 50, 7, 48], 2) // [[1, 3], [2, 0]]
 */
export function lengthSortedBatches(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/**
 * Builds the input tensors of one batch, padded to its longest sequence: `input_ids`,
 * `attention_mask`, and `token_type_ids` when the graph takes them (XLM-RoBERTa exports do not).
 * Integer inputs follow the graph's declared type (int64 in real exports, int32 in some).
 */
export function batchTensors(
  session: ModelSession,
  sequences: readonly EncodedSequence[],
  padId: number,
): Record<string, ort.Tensor> {
  const rows = sequences.length;
  const width = sequences.reduce((m, s) => Math.max(m, s.ids.length), 0);
  const ids = new Int32Array(rows * width).fill(padId);
  const mask = new Int32Array(rows * width);
  const types = new Int32Array(rows * width);
  sequences.forEach((s, r) => {
    const base = r * width;
    ids.set(s.ids, base);
    mask.fill(1, base, base + s.ids.length);
    types.set(s.typeIds, base);
  });
  const dims = [rows, width];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: intTensor(session.inputType('input_ids'), ids, dims),
    attention_mask: intTensor(session.inputType('attention_mask'), mask, dims),
  };
  if (session.hasInput('token_type_ids'))
    feeds.token_type_ids = intTensor(session.inputType('token_type_ids'), types, dims);
  return feeds;
}

function intTensor(type: string | undefined, values: Int32Array, dims: number[]): ort.Tensor {
  return type === 'int32' ? new ort.Tensor('int32', values, dims) : new ort.Tensor('int64', toInt64(values), dims);
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Widens non-negative int32 values to int64 without a BigInt per element: on little-endian
 * machines an int64 holding a small non-negative value is its int32 followed by a zero word.
 */
export function toInt64(values: Int32Array): BigInt64Array {
  if (!LITTLE_ENDIAN) return BigInt64Array.from(values, (v) => BigInt(v));
  const words = new Int32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) words[2 * i] = values[i]!;
  return new BigInt64Array(words.buffer);
}
