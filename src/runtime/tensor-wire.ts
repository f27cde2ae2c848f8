import * as ort from 'onnxruntime-node';

/**
 * Tensors as they cross between threads: a worker cannot receive an `ort.Tensor` (its native
 * handle does not clone), so the data array, type and dimensions travel instead.
 */
export interface WireTensor {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

export type WireFeeds = Record<string, WireTensor>;

/** The plain form of each tensor in `tensors` (the arrays are shared, not copied). */
export function toWire(tensors: Record<string, ort.Tensor>): WireFeeds {
  const out: WireFeeds = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { type: t.type, data: t.data, dims: t.dims };
  return out;
}

/** Tensors again from their plain form. */
export function fromWire(wire: WireFeeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, w] of Object.entries(wire))
    out[name] = new ort.Tensor(w.type as 'float32', w.data as Float32Array, w.dims);
  return out;
}

/** The buffers behind `wire`'s arrays, to transfer rather than copy when the sender no longer needs them. */
export function wireBuffers(wire: WireFeeds): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const w of Object.values(wire)) {
    const data = w.data as { buffer?: unknown };
    if (data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  }
  return [...buffers];
}
