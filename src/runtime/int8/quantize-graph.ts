import onnxProto from 'onnx-proto';
import { SiftError } from '../../errors.js';
import type { ChannelRanges } from './calibrate-activations.js';
import { quantizeWeight, type QuantizeOptions } from './quantize-weight.js';

type ModelProto = onnxProto.onnx.ModelProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const { DataType } = onnxProto.onnx.TensorProto;

/**
 * sift's int8 recipe, chosen by measurement on real MiniLM-L6 weights (bench/RESULTS.md, "int8 that
 * ranks like fp32"): int8 MatMul weights with one scale per output column and 7-bit range, uint8
 * activations quantized per batch; embedding tables (Gather) and everything else stay float32.
 * Per-tensor weights (quantize_dynamic's default, which some `model_quantized.onnx` files use) rank
 * visibly less like fp32 than this recipe does (the agreement figures are in that section).
 * Embedding lookups cost nothing worth quantizing.
 */
export const SIFT_INT8_WEIGHTS: QuantizeOptions = { type: 'int8', reduceRange: true };

/**
 * Version of sift's int8 rewriting; part of the cache key (with the recipe, see `int8-recipe.ts`), so
 * a changed recipe never serves a stale file. 2: per-model recipes (the scout's 8-bit recipe); 3: static
 * activation ranges (the scout's recipe), fused MatMulIntegerToFloat with bias.
 */
export const SIFT_INT8_VERSION = 3;

/** What {@link quantizeGraph} changed. */
export interface QuantizeGraphResult {
  /** The rewritten model, serialized. */
  bytes: Uint8Array;
  /** MatMuls rewritten to MatMulInteger. */
  quantized: number;
  /** MatMuls left in float32 (their weight is not a 2-D float initializer, or is also a graph input). */
  keptFloat: number;
}

/**
 * Rewrites every `MatMul` whose second input is a 2-D float32 initializer `[K, N]` into what
 * onnxruntime's `quantize_dynamic` writes for it: DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q,
 * x_zp, W_zp) -> Cast(float) -> Mul(x_scale * W_scale), with W quantized per column by
 * {@link SIFT_INT8_WEIGHTS}. onnxruntime fuses that chain into one int8 kernel. Inputs that feed
 * several MatMuls (Q, K and V) are quantized once. Everything else is left as it is. `keepFloat`
 * names MatMul nodes to leave in float32 (default none; used by bench/scout-int8-recipes.ts to
 * measure mixed recipes, e.g. `/encoder/layer.0/output/dense/MatMul`); they count as `keptFloat`.
 *
 * `activationRanges` (calibrated by `calibrateChannelRanges`) makes the named inputs static: each is
 * quantized with its fixed range (QuantizeLinear, values outside clipped) instead of one range per
 * batch, so a text's output no longer depends on the texts batched with it, and each of its MatMuls
 * becomes one com.microsoft MatMulIntegerToFloat that also adds the bias of a following `Add` (the
 * fused kernel onnxruntime builds itself from the dynamic chain, which it cannot match once the scale is
 * a constant). An input's range is its channels' [min, max]; a smoothed input's, its channels' ranges
 * divided by their factors; a split input's, its other channels'.
 *
 * @example const { bytes, quantized } = quantizeGraph(readFileSync('onnx/model.onnx')); // quantized: 38 for MiniLM-L6
 */
export function quantizeGraph(
  model: Uint8Array,
  options: QuantizeOptions = SIFT_INT8_WEIGHTS,
  keepFloat: (matMul: string) => boolean = () => false,
  smoothing?: Smoothing,
  activationRanges?: ReadonlyMap<string, ChannelRanges>,
): QuantizeGraphResult {
  const proto = quantizableModel(model);
  const graph = proto.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name));
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  const uses = new Map<string, number>();
  const readers = new Map<string, NodeProto[]>();
  for (const node of graph.node ?? [])
    for (const input of node.input ?? []) {
      uses.set(input, (uses.get(input) ?? 0) + 1);
      const list = readers.get(input);
      if (list) list.push(node);
      else readers.set(input, [node]);
    }
  // A MatMul's bias Add, folded into a static MatMulIntegerToFloat: its 1-D float initializer, its output.
  const biasOf = (out: string, n: number): { bias: string; add: NodeProto } | undefined => {
    const next = readers.get(out) ?? [];
    const add = next[0];
    if (next.length !== 1 || graphOutputs.has(out) || add?.opType !== 'Add' || (add.domain && add.domain !== 'ai.onnx'))
      return undefined;
    const bias = add.input!.find((i) => i !== out);
    const t = bias === undefined ? undefined : initializers.get(bias);
    const dims = (t?.dims ?? []).map(Number);
    if (!t || graphInputs.has(bias) || t.dataType !== DataType.FLOAT || dims.length !== 1 || dims[0] !== n)
      return undefined;
    return { bias: bias!, add };
  };
  const folded = new Set<NodeProto>();

  const taken = new Set<string>([
    ...initializers.keys(),
    ...(graph.node ?? []).flatMap((n) => [...(n.output ?? []), n.name ?? '']),
  ]);
  const fresh = (hint: string): string => {
    let name = `sift_int8/${hint}`;
    for (let i = 1; taken.has(name); i++) name = `sift_int8/${hint}_${i}`;
    taken.add(name);
    return name;
  };

  // The int8 MatMuls of each input, so a smoothed input's scales see every weight it feeds.
  const isQuantized = (node: NodeProto): boolean => {
    const w = node.input?.[1] ? initializers.get(node.input[1]) : undefined;
    return (
      node.opType === 'MatMul' &&
      (!node.domain || node.domain === 'ai.onnx') &&
      w !== undefined &&
      w.dataType === DataType.FLOAT &&
      (w.dims ?? []).length === 2 &&
      !graphInputs.has(node.input![1]) &&
      !keepFloat(node.name ?? '')
    );
  };
  const consumers = new Map<string, TensorProto[]>();
  for (const node of graph.node ?? [])
    if (isQuantized(node)) {
      const list = consumers.get(node.input![0]!) ?? [];
      list.push(initializers.get(node.input![1]!)!);
      consumers.set(node.input![0]!, list);
    }
  const smoothScales = new Map<string, Float32Array>();
  const splits = new Map<string, number[]>();
  for (const [x, weights] of consumers) {
    const range = smoothing?.ranges.get(x);
    const k = Number(weights[0]!.dims![0]);
    if (!range || range.length !== k) continue;
    const outliers = smoothing?.outliers?.get(x);
    if (outliers) {
      // The widest channels leave the int8 product for a small float32 one.
      const order = Array.from(range.keys()).sort((a, b) => range[b]! - range[a]! || a - b);
      splits.set(
        x,
        order.slice(0, Math.min(outliers, k - 1)).sort((a, b) => a - b),
      );
      continue;
    }
    smoothScales.set(
      x,
      smoothingScales(
        range,
        weights.map((w) => floatData(w, k * Number(w.dims![1]))),
        smoothing!,
      ),
    );
  }

  const quantizedInputs = new Map<string, [string, string, string]>();
  const outlierInputs = new Map<string, string>();
  const newNodes: NodeProto[] = [];
  const newInitializers: TensorProto[] = [];
  const dropped = new Set<string>();
  let quantized = 0;
  let keptFloat = 0;
  // One more MatMul in int8; its float weight goes once no other node reads it.
  const rewritten = (weightName: string): void => {
    quantized++;
    const left = (uses.get(weightName) ?? 1) - 1;
    uses.set(weightName, left);
    if (left === 0) dropped.add(weightName);
  };

  for (const node of graph.node ?? []) {
    if (folded.has(node)) continue;
    const weightName = node.input?.[1];
    const weight =
      node.opType === 'MatMul' && (!node.domain || node.domain === 'ai.onnx') && weightName
        ? initializers.get(weightName)
        : undefined;
    if (node.opType !== 'MatMul' || !weight) {
      newNodes.push(node);
      continue;
    }
    const dims = (weight.dims ?? []).map(Number);
    if (
      weight.dataType !== DataType.FLOAT ||
      dims.length !== 2 ||
      graphInputs.has(weightName) ||
      keepFloat(node.name ?? '')
    ) {
      keptFloat++;
      newNodes.push(node);
      continue;
    }
    const [k, n] = dims as [number, number];
    const x = node.input![0]!;
    const smooth = smoothScales.get(x);
    const split = splits.get(x);
    const w = floatData(weight, k * n);
    if (smooth) for (let i = 0; i < w.length; i++) w[i]! *= smooth[Math.floor(i / n)]!;
    let outlierWeight: Float32Array | undefined;
    if (split) {
      outlierWeight = new Float32Array(split.length * n);
      split.forEach((c, r) => {
        outlierWeight!.set(w.subarray(c * n, (c + 1) * n), r * n);
        w.fill(0, c * n, (c + 1) * n);
      });
    }
    const q = quantizeWeight(w, { ...options, perColumnOf: n });
    const base = weightName!.replace(/[^A-Za-z0-9_.]/g, '_');
    const wq = fresh(`${base}_quantized`);
    const wScale = fresh(`${base}_scale`);
    const wZero = fresh(`${base}_zero_point`);
    const elem = options.type === 'int8' ? DataType.INT8 : DataType.UINT8;
    newInitializers.push(
      { name: wq, dims: [k, n], dataType: elem, rawData: bytesOf(q.data) },
      { name: wScale, dims: [n], dataType: DataType.FLOAT, rawData: bytesOf(q.scales) },
      { name: wZero, dims: [n], dataType: elem, rawData: bytesOf(q.zeroPoints) },
    );

    const range = staticRange(activationRanges?.get(x), smooth, split);
    let xq = quantizedInputs.get(x);
    if (!xq) {
      xq = [fresh(`${x}_quantized`), fresh(`${x}_scale`), fresh(`${x}_zero_point`)];
      quantizedInputs.set(x, xq);
      let source = x;
      if (smooth) {
        // x @ W = (x / s) @ (diag(s) W): the division flattens x's outlier channels before its one range is taken.
        const inverse = fresh(`${x}_smooth_inverse`);
        source = fresh(`${x}_smoothed`);
        newInitializers.push({
          name: inverse,
          dims: [k],
          dataType: DataType.FLOAT,
          rawData: bytesOf(smooth.map((v) => 1 / v)),
        });
        newNodes.push({ opType: 'Mul', name: fresh(`${x}_smooth_Mul`), input: [x, inverse], output: [source] });
      }
      if (split) {
        // A Gather hands the outlier channels to float32 MatMuls; their int8 weight rows are zero. With
        // one range per batch, int8 reads x with those channels zeroed, or they would set the range; a
        // static range already leaves them out (QuantizeLinear clips them), and zero rows cancel them.
        const indices = fresh(`${x}_outlier_indices`);
        newInitializers.push({
          name: indices,
          dims: [split.length],
          dataType: DataType.INT64,
          rawData: new Uint8Array(BigInt64Array.from(split, BigInt).buffer),
        });
        const outliersOut = fresh(`${x}_outliers`);
        outlierInputs.set(x, outliersOut);
        newNodes.push({
          opType: 'Gather',
          name: fresh(`${x}_outlier_Gather`),
          input: [source, indices],
          output: [outliersOut],
          attribute: [{ name: 'axis', type: onnxProto.onnx.AttributeProto.AttributeType.INT, i: -1 }],
        });
        if (!range) {
          const mask = new Float32Array(k).fill(1);
          for (const c of split) mask[c] = 0;
          const maskName = fresh(`${x}_inlier_mask`);
          const inliers = fresh(`${x}_inliers`);
          newInitializers.push({ name: maskName, dims: [k], dataType: DataType.FLOAT, rawData: bytesOf(mask) });
          newNodes.push({
            opType: 'Mul',
            name: fresh(`${x}_inlier_Mul`),
            input: [source, maskName],
            output: [inliers],
          });
          source = inliers;
        }
      }
      if (range) {
        // uint8 with 0 exactly representable: scale over [min, max] (0 always inside), the zero point rounded.
        const scale = (range.max - range.min) / 255 || 1;
        const zero = Math.min(255, Math.max(0, Math.round(-range.min / scale)));
        newInitializers.push(
          { name: xq[1], dims: [], dataType: DataType.FLOAT, rawData: bytesOf(new Float32Array([scale])) },
          { name: xq[2], dims: [], dataType: DataType.UINT8, rawData: new Uint8Array([zero]) },
        );
        newNodes.push({
          opType: 'QuantizeLinear',
          name: fresh(`${x}_QuantizeLinear`),
          input: [source, xq[1], xq[2]],
          output: [xq[0]],
        });
      } else {
        newNodes.push({
          opType: 'DynamicQuantizeLinear',
          name: fresh(`${x}_DynamicQuantizeLinear`),
          input: [source],
          output: [...xq],
        });
      }
    }
    const out = node.output![0]!;
    const prefix = node.name || out;
    // Static: the bias Add after the MatMul folds into the fused kernel, whose output is then the Add's.
    const fold = range ? biasOf(out, n) : undefined;
    if (fold) folded.add(fold.add);
    const final = fold ? fold.add.output![0]! : out;
    const int8Out = outlierWeight ? fresh(`${out}_inlier_part`) : final;
    if (range) {
      newNodes.push({
        opType: 'MatMulIntegerToFloat',
        domain: 'com.microsoft',
        name: fresh(`${prefix}_MatMulIntegerToFloat`),
        input: [xq[0], wq, xq[1], wScale, xq[2], wZero, ...(fold ? [fold.bias] : [])],
        output: [int8Out],
      });
    } else {
      const integer = fresh(`${out}_int32`);
      const asFloat = fresh(`${out}_float`);
      const scale = fresh(`${out}_scale`);
      newNodes.push(
        {
          opType: 'MatMulInteger',
          name: fresh(`${prefix}_MatMulInteger`),
          input: [xq[0], wq, xq[2], wZero],
          output: [integer],
        },
        {
          opType: 'Cast',
          name: fresh(`${prefix}_Cast`),
          input: [integer],
          output: [asFloat],
          attribute: [{ name: 'to', type: onnxProto.onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT }],
        },
        { opType: 'Mul', name: fresh(`${prefix}_scale_Mul`), input: [xq[1], wScale], output: [scale] },
        { opType: 'Mul', name: fresh(`${prefix}_Mul`), input: [asFloat, scale], output: [int8Out] },
      );
    }
    if (outlierWeight) {
      const wo = fresh(`${base}_outlier_rows`);
      const part = fresh(`${out}_outlier_part`);
      newInitializers.push({
        name: wo,
        dims: [outlierWeight.length / n, n],
        dataType: DataType.FLOAT,
        rawData: bytesOf(outlierWeight),
      });
      newNodes.push(
        {
          opType: 'MatMul',
          name: fresh(`${prefix}_outlier_MatMul`),
          input: [outlierInputs.get(x)!, wo],
          output: [part],
        },
        { opType: 'Add', name: fresh(`${prefix}_outlier_Add`), input: [int8Out, part], output: [final] },
      );
    }
    rewritten(weightName!);
  }

  graph.node = newNodes;
  if (
    newNodes.some((n) => n.domain === 'com.microsoft') &&
    !(proto.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')
  )
    proto.opsetImport = [...(proto.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !dropped.has(t.name ?? '')), ...newInitializers];
  // Shapes recorded for rewritten tensors stay valid (same names, same float outputs); nothing to fix.
  return { bytes: onnxProto.onnx.ModelProto.encode(proto).finish(), quantized, keptFloat };
}

/**
 * Decodes an ONNX model and checks sift can rewrite it to int8 (a graph, opset 11 or later, no
 * external data), else MODEL_INVALID naming why; called before any calibration run, so a graph sift
 * cannot rewrite fails the same way whatever the recipe.
 */
export function quantizableModel(model: Uint8Array): ModelProto {
  let proto: ModelProto;
  try {
    proto = onnxProto.onnx.ModelProto.decode(model);
  } catch (err) {
    throw new SiftError('MODEL_INVALID', `cannot read the ONNX model to quantize it: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const graph = proto.graph;
  if (!graph) throw new SiftError('MODEL_INVALID', 'the ONNX model to quantize has no graph');
  // onnx-proto types the version as protobufjs's Long, whose declarations do not resolve here: read it as unknown.
  const opset: unknown = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  if (opset === undefined || Number(opset) < 11) {
    throw new SiftError(
      'MODEL_INVALID',
      `int8 quantization needs ONNX opset 11 or later (DynamicQuantizeLinear); the model has opset ${opset === undefined ? 'none' : Number(opset)}`,
    );
  }

  // The rewritten file lives in sift's cache, away from the source's external data files, so a graph
  // with any external initializer (not only a MatMul weight) cannot be rewritten.
  const external = (graph.initializer ?? []).find(
    (t) => t.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL,
  );
  if (external) {
    throw new SiftError(
      'MODEL_INVALID',
      `initializer ${external.name} is stored as external data; sift's int8 quantization reads single-file models only (use \`dtype\` fp32 or q8)`,
      { details: { option: 'dtype' } },
    );
  }
  return proto;
}

/**
 * Per-input-channel activation ranges for SmoothQuant-style migration (Xiao et al. 2023): each int8
 * MatMul input `x` named in `ranges` (its channels' largest |value| over calibration text) is divided by
 * `s_c = range_c^alpha / weightRange_c^(1 - alpha)` before it is quantized, and the weights' rows are
 * multiplied by `s`. The product is unchanged; the activation's outlier channels no longer set the one
 * range of every other channel.
 */
export interface Smoothing {
  ranges: ReadonlyMap<string, Float32Array>;
  /** Migration strength, 0 (none) to 1 (all onto the weights); 0.5 in the paper. */
  alpha: number;
  /**
   * Smallest factor (default none): 1 only ever divides channels down, so a channel the calibration
   * text barely woke (a GELU output) is never amplified past its real range.
   */
  minScale?: number;
  /**
   * Inputs whose widest channels (by calibration range; how many per input) are taken out of the int8
   * product instead of smoothed: zeroed before quantization and multiplied in float32 by their weight
   * rows (LLM.int8()'s decomposition with channels fixed at calibration). For the FFN's GELU outputs,
   * where one or two channels reach 4-17x the others' range.
   */
  outliers?: ReadonlyMap<string, number>;
}

/**
 * The fixed [min, max] of a static input: over its channels' calibrated ranges, each divided by its
 * smoothing factor, the split (zeroed) channels left out; 0 always inside.
 */
function staticRange(
  range: ChannelRanges | undefined,
  smooth: Float32Array | undefined,
  split: readonly number[] | undefined,
): { min: number; max: number } | undefined {
  if (!range || (smooth && smooth.length !== range.min.length)) return undefined;
  const skip = new Set(split);
  let min = 0;
  let max = 0;
  for (let c = 0; c < range.min.length; c++) {
    if (skip.has(c)) continue;
    const f = smooth?.[c] ?? 1;
    min = Math.min(min, range.min[c]! / f);
    max = Math.max(max, range.max[c]! / f);
  }
  return { min, max };
}

/** Per-row smoothing factors of the weights `ws` (all `[k, n]`, fed by one input) for activation `range`. */
function smoothingScales(range: Float32Array, ws: Float32Array[], { alpha, minScale = 0 }: Smoothing): Float32Array {
  const k = range.length;
  const wMax = new Float32Array(k);
  for (const w of ws) {
    const n = w.length / k;
    for (let i = 0; i < w.length; i++) {
      const c = Math.floor(i / n);
      const a = Math.abs(w[i]!);
      if (a > wMax[c]!) wMax[c] = a;
    }
  }
  const s = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    const v = Math.pow(Math.max(range[c]!, 1e-5), alpha) / Math.pow(Math.max(wMax[c]!, 1e-5), 1 - alpha);
    s[c] = Number.isFinite(v) && v > 0 ? Math.max(v, minScale) : 1;
  }
  return s;
}

function floatData(tensor: TensorProto, count: number): Float32Array {
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    if (raw.length !== count * 4)
      throw new SiftError('MODEL_INVALID', `initializer ${tensor.name} has ${raw.length} bytes for ${count} floats`);
    // Copy: raw_data inside the decoded buffer need not be 4-byte aligned.
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  if (tensor.floatData && tensor.floatData.length === count) return Float32Array.from(tensor.floatData);
  if (tensor.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new SiftError(
      'MODEL_INVALID',
      `initializer ${tensor.name} is stored as external data; sift's int8 quantization reads single-file models only (use \`dtype\` q8)`,
      { details: { option: 'dtype' } },
    );
  }
  throw new SiftError('MODEL_INVALID', `initializer ${tensor.name} holds no float data`);
}

function bytesOf(data: Float32Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
