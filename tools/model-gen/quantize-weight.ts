/** Weight element types onnxruntime's `quantize_dynamic` writes for MatMulInteger. */
export type QuantizedWeightType = 'int8' | 'uint8';

/** A per-tensor quantized weight: `w ≈ (q - zeroPoint) * scale`. */
export interface QuantizedWeight {
  data: Int8Array | Uint8Array;
  scale: number;
  zeroPoint: number;
}

/**
 * Quantizes a weight per tensor the way onnxruntime's `quantize_dynamic` does by default
 * (onnxruntime/python/tools/quantization/quant_utils.py `compute_scale_zp`): int8 is symmetric over
 * [-127, 127] with zero point 0; uint8 is asymmetric over [0, 255] with the range widened to include 0,
 * so that 0 is exactly representable.
 *
 * @example quantizeWeight(new Float32Array([-1, 0.5]), 'int8') // { data: Int8Array [-127, 64], scale: 1/127, zeroPoint: 0 }
 */
export function quantizeWeight(weight: Float32Array, type: QuantizedWeightType): QuantizedWeight {
  let min = 0;
  let max = 0;
  for (const w of weight) {
    if (w < min) min = w;
    if (w > max) max = w;
  }
  if (type === 'int8') {
    const absMax = Math.max(-min, max);
    const scale = absMax === 0 ? 1 : absMax / 127;
    const data = Int8Array.from(weight, (w) => clamp(Math.round(w / scale), -127, 127));
    return { data, scale: Math.fround(scale), zeroPoint: 0 };
  }
  const scale = max === min ? 1 : (max - min) / 255;
  const zeroPoint = clamp(Math.round(-min / scale), 0, 255);
  const data = Uint8Array.from(weight, (w) => clamp(Math.round(w / scale) + zeroPoint, 0, 255));
  return { data, scale: Math.fround(scale), zeroPoint };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
