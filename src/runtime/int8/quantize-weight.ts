/** Weight element types onnxruntime's `quantize_dynamic` writes for MatMulInteger. */
export type QuantizedWeightType = 'int8' | 'uint8';

/**
 * A quantized tensor: `w ≈ (q - zeroPoint) * scale`, with one scale and zero point for the whole
 * tensor, or one per column of a `[rows, cols]` matrix (per channel).
 */
export interface QuantizedWeight {
  data: Int8Array | Uint8Array;
  /** One value (per tensor) or one per column (per channel). */
  scales: Float32Array;
  /** Same length as `scales`, of the element type of `data`. */
  zeroPoints: Int8Array | Uint8Array;
}

/** How a tensor is quantized, as onnxruntime's quantizer options name it. */
export interface QuantizeOptions {
  /** Element type; int8 is symmetric (zero point 0), uint8 asymmetric. */
  type: QuantizedWeightType;
  /**
   * 7-bit ranges (`reduce_range`): int8 [-64, 64], uint8 [0, 127], which keeps VPMADDUBSW sums from
   * saturating on CPUs without VNNI. Default false: int8 [-127, 127], uint8 [0, 255].
   */
  reduceRange?: boolean;
  /** Columns of a row-major `[rows, cols]` matrix, quantized one scale per column (`per_channel`, axis 1). Default: per tensor. */
  perColumnOf?: number;
}

/**
 * Quantizes a tensor the way onnxruntime's quantizer does (quant_utils.py `get_qmin_qmax_for_qType`
 * and `compute_scale_zp`): the range is widened to include 0 so that 0 is exact; int8 is symmetric
 * (`scale = absMax / qmax`, zero point 0); uint8 is asymmetric over [qmin, qmax].
 *
 * @example quantizeWeight(new Float32Array([-1, 0.5]), { type: 'int8' }) // data Int8Array [-127, 64], scales [1/127], zeroPoints [0]
 */
export function quantizeWeight(weight: Float32Array, options: QuantizeOptions): QuantizedWeight {
  const { type, reduceRange = false } = options;
  const cols = options.perColumnOf ?? 1;
  if (weight.length % cols !== 0) throw new Error(`quantize: ${weight.length} values are not rows of ${cols} columns`);
  const [qmin, qmax] = type === 'int8' ? (reduceRange ? [-64, 64] : [-127, 127]) : reduceRange ? [0, 127] : [0, 255];
  const mins = new Float64Array(cols); // starts at 0: the range always includes 0
  const maxs = new Float64Array(cols);
  for (let i = 0; i < weight.length; i++) {
    const c = i % cols;
    const w = weight[i]!;
    if (w < mins[c]!) mins[c] = w;
    if (w > maxs[c]!) maxs[c] = w;
  }
  const scales = new Float32Array(cols);
  const zeroPoints = type === 'int8' ? new Int8Array(cols) : new Uint8Array(cols);
  for (let c = 0; c < cols; c++) {
    if (type === 'int8') {
      const absMax = Math.max(-mins[c]!, maxs[c]!);
      scales[c] = absMax === 0 ? 1 : absMax / qmax;
    } else {
      const span = maxs[c]! - mins[c]!;
      scales[c] = span === 0 ? 1 : span / (qmax - qmin);
      zeroPoints[c] = clamp(Math.round(qmin - mins[c]! / scales[c]!), qmin, qmax);
    }
  }
  const data = type === 'int8' ? new Int8Array(weight.length) : new Uint8Array(weight.length);
  for (let i = 0; i < weight.length; i++) {
    const c = i % cols;
    data[i] = clamp(Math.round(weight[i]! / scales[c]!) + zeroPoints[c]!, qmin, qmax);
  }
  return { data, scales, zeroPoints };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
