import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from '../ort-telemetry.js';

type ModelProto = onnxProto.onnx.ModelProto;

/** One tokenized input of a calibration run: token ids and token type ids, unpadded. */
export interface CalibrationSequence {
  ids: readonly number[];
  typeIds: readonly number[];
}

/**
 * The inputs of a graph's weight MatMuls (second input a 2-D float32 initializer), the tensors
 * {@link calibrateActivations} measures.
 */
export function matMulInputs(proto: ModelProto): string[] {
  const graph = proto.graph!;
  const floats = new Set(
    (graph.initializer ?? [])
      .filter((t) => t.dataType === onnxProto.onnx.TensorProto.DataType.FLOAT && (t.dims ?? []).length === 2)
      .map((t) => t.name),
  );
  const names = new Set<string>();
  for (const node of graph.node ?? [])
    if (node.opType === 'MatMul' && (!node.domain || node.domain === 'ai.onnx') && floats.has(node.input?.[1]))
      names.add(node.input![0]!);
  return [...names];
}

/** The smallest and largest value each channel (last dimension) of a tensor took over calibration text; 0 always inside. */
export interface ChannelRanges {
  min: Float32Array;
  max: Float32Array;
}

/**
 * Runs a float32 graph over `sequences` (one a batch, no padding) and returns, for each input of its
 * weight MatMuls, every channel's smallest and largest value seen: the fixed activation ranges of
 * `quantizeGraph`'s static quantization (reduced per tensor there, after smoothing or a split).
 */
export async function calibrateChannelRanges(
  model: Uint8Array,
  sequences: readonly CalibrationSequence[],
): Promise<Map<string, ChannelRanges>> {
  const ranges = new Map<string, ChannelRanges>();
  await runCalibration(model, sequences, (name, data, c) => {
    let r = ranges.get(name);
    if (!r) ranges.set(name, (r = { min: new Float32Array(c), max: new Float32Array(c) }));
    for (let i = 0; i < data.length; i++) {
      const x = data[i]!;
      const j = i % c;
      if (x < r.min[j]!) r.min[j] = x;
      else if (x > r.max[j]!) r.max[j] = x;
    }
  });
  return ranges;
}

/**
 * Runs a float32 graph over `sequences` (one a batch, no padding) and returns, for each input of its
 * weight MatMuls, the largest |value| of every channel (last dimension) seen: the activation ranges
 * `quantizeGraph`'s smoothing takes.
 */
export async function calibrateActivations(
  model: Uint8Array,
  sequences: readonly CalibrationSequence[],
): Promise<Map<string, Float32Array>> {
  return absoluteRanges(await calibrateChannelRanges(model, sequences));
}

/** Each channel's largest |value|, from its [min, max]. */
export function absoluteRanges(ranges: ReadonlyMap<string, ChannelRanges>): Map<string, Float32Array> {
  return new Map([...ranges].map(([name, r]) => [name, r.max.map((hi, c) => Math.max(hi, -r.min[c]!))]));
}

/** Runs the graph over each sequence alone and hands every weight MatMul input to `visit`. */
async function runCalibration(
  model: Uint8Array,
  sequences: readonly CalibrationSequence[],
  visit: (name: string, data: Float32Array, channels: number) => void,
): Promise<void> {
  const proto = onnxProto.onnx.ModelProto.decode(model);
  const names = matMulInputs(proto);
  const graph = proto.graph!;
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  for (const name of names)
    if (!outputs.has(name))
      graph.output!.push({ name, type: { tensorType: { elemType: onnxProto.onnx.TensorProto.DataType.FLOAT } } });
  disableOrtTelemetry();
  const session = await ort.InferenceSession.create(onnxProto.onnx.ModelProto.encode(proto).finish(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    for (const seq of sequences) {
      const dims = [1, seq.ids.length];
      const int64 = (xs: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(xs, BigInt), dims);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(seq.ids),
        attention_mask: int64(seq.ids.map(() => 1)),
      };
      if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(seq.typeIds);
      const result = await session.run(feeds, names);
      for (const name of names) {
        const t = result[name]!;
        visit(name, t.data as Float32Array, Number(t.dims[t.dims.length - 1]));
      }
    }
  } finally {
    await session.release();
  }
}
