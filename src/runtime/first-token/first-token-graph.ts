import onnxProto from 'onnx-proto';

type ModelProto = onnxProto.onnx.ModelProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const { DataType } = onnxProto.onnx.TensorProto;

/** Version of the rewrite; part of the cache key of the files it writes (`firstTokenModelFile`). */
export const FIRST_TOKEN_VERSION = 2;

/** Rows the rewritten last layer computes: the first token, and one more (see {@link firstTokenGraph}). */
export const KEPT_ROWS = 2;

/** What {@link firstTokenGraph} changed. */
export interface FirstTokenGraph {
  /** The rewritten model, serialized. */
  bytes: Uint8Array;
  /** Nodes of the last layer that now compute {@link KEPT_ROWS} rows instead of one per token. */
  rowNodes: number;
  /** Whether the last attention also computes only those query rows. */
  attentionRow: boolean;
}

/**
 * Rewrites a sequence-classification graph (a cross-encoder) so that its last layer computes only
 * what the head reads. The head reads the first token of the last hidden state (BERT's [CLS],
 * RoBERTa's <s>: one `Gather` on axis 1 at index 0), and everything after the last attention is
 * position-wise (projections, bias and residual adds, LayerNorm, GELU, quantizers), so the rows of
 * the other tokens are computed and thrown away. The rewrite keeps the first rows (`Slice` on axis
 * 1) where that position-wise tail begins, and, when the last attention has the usual shape
 * (Q·Kᵀ, mask and scale, Softmax, ·V, Transpose, Reshape), also only those query rows. It keeps
 * two rows, not one: onnxruntime multiplies a one-row matrix with another kernel (a different
 * summation order), which would move a float32 score by ~1e-7 with the batch it ran in; with two
 * rows every score equals the original graph's and stays the same in any batch. For MiniLM-L6 that
 * skips about 80 % of the last of six layers: the same logits, ~13 % less time a query
 * (bench/RESULTS.md, "The judge's last layer, first token only").
 *
 * Found by structure, not by names, so any export of the family qualifies; returns `undefined` when
 * the graph has no such head, nothing to skip, or weights in external data files (the rewritten copy
 * lives elsewhere). The caller checks the result against the original
 * on real inputs before using it (`firstTokenModelFile`): the graph carries no shapes to prove the
 * rewrite with.
 *
 * @example const pruned = firstTokenGraph(readFileSync('onnx/model.onnx')); // pruned?.rowNodes: 36 for sift's int8 MiniLM-L6
 */
export function firstTokenGraph(model: Uint8Array): FirstTokenGraph | undefined {
  let proto: ModelProto;
  try {
    proto = onnxProto.onnx.ModelProto.decode(model);
  } catch {
    return undefined;
  }
  const graph = proto.graph;
  const opset: unknown = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  // Slice with starts/ends/axes inputs is opset 10; a copy elsewhere could not find external data files.
  if (!graph || opset === undefined || Number(opset) < 10) return undefined;
  if ((graph.initializer ?? []).some((t) => t.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL))
    return undefined;
  const g = new GraphIndex(graph);
  const head = g.firstTokenHead();
  if (!head) return undefined;

  // The position-wise tail: nodes whose every output is read only by the tail (or the head), from the end back.
  const tail = new Set<NodeProto>([head]);
  const nodes = graph.node ?? [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (node === head || !g.isPositionWise(node)) continue;
    const outputs = (node.output ?? []).filter((o) => o !== '');
    const readByTail = outputs.every(
      (o) => !g.outputs.has(o) && (g.readers.get(o) ?? []).length > 0 && g.readers.get(o)!.every((r) => tail.has(r)),
    );
    if (outputs.length > 0 && readByTail) tail.add(node);
  }
  tail.delete(head);
  if (tail.size === 0) return undefined;

  // Where the tail begins: activations it reads from outside itself.
  const entries = new Set<string>();
  for (const node of tail)
    for (const input of node.input ?? [])
      if (input && !g.isConstant(input) && !tail.has(g.producer.get(input)!)) entries.add(input);

  const starts = g.int64Initializer('first_token/starts', [0]);
  const ends = g.int64Initializer('first_token/ends', [KEPT_ROWS]);
  const rowAxis = g.int64Initializer('first_token/axis_1', [1]);
  const queryAxis = g.int64Initializer('first_token/axis_2', [2]);
  const inserted: NodeProto[] = [];
  /** `tensor`'s first rows on `axis`, read by `reader` in its place (one Slice per tensor and axis). */
  const slices = new Map<string, string>();
  const sliceFor = (reader: NodeProto, tensor: string, axis: string): void => {
    const key = `${tensor}\u0000${axis}`;
    let sliced = slices.get(key);
    if (!sliced) {
      sliced = g.fresh(`${tensor}_first_token`);
      slices.set(key, sliced);
      inserted.push({
        opType: 'Slice',
        name: g.fresh(`${tensor}_first_token_Slice`),
        input: [tensor, starts, ends, axis],
        output: [sliced],
      });
    }
    reader.input = (reader.input ?? []).map((i) => (i === tensor ? sliced : i));
  };

  let attentionRow = false;
  for (const entry of entries) {
    const attention = g.attentionEndingAt(entry);
    // The merged heads lose their other rows for every reader, so only when the tail alone reads them.
    if (attention && (g.readers.get(entry) ?? []).every((r) => tail.has(r))) {
      attentionRow = true;
      sliceFor(attention.scores, attention.query, queryAxis);
      for (const [node, other] of attention.biases) sliceFor(node, other, queryAxis);
      attention.merge.input = [attention.merge.input![0]!, g.int64Initializer('first_token/merged_heads', [0, 0, -1])];
      continue;
    }
    for (const reader of g.readers.get(entry) ?? []) if (tail.has(reader)) sliceFor(reader, entry, rowAxis);
  }

  // Each Slice goes right after the node that makes its input (first, for a graph input): the order stays topological.
  const after = new Map<NodeProto | undefined, NodeProto[]>();
  for (const slice of inserted) {
    const producer = g.producer.get(slice.input![0]!);
    after.set(producer, [...(after.get(producer) ?? []), slice]);
  }
  graph.node = [...(after.get(undefined) ?? []), ...nodes.flatMap((n) => [n, ...(after.get(n) ?? [])])];
  graph.initializer = [...(graph.initializer ?? []), ...g.added];
  dropUnused(graph);
  return { bytes: onnxProto.onnx.ModelProto.encode(proto).finish(), rowNodes: tail.size, attentionRow };
}

/**
 * Removes what the rewrite left without readers (the shape computations of the old merged-heads
 * target), so onnxruntime does not warn about unused initializers on every load.
 */
function dropUnused(graph: GraphProto): void {
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  let nodes = graph.node ?? [];
  for (;;) {
    const read = new Set([...outputs, ...nodes.flatMap((n) => n.input ?? [])]);
    const kept = nodes.filter((n) => (n.output ?? []).some((o) => o !== '' && read.has(o)));
    if (kept.length === nodes.length) break;
    nodes = kept;
  }
  graph.node = nodes;
  const read = new Set([...outputs, ...nodes.flatMap((n) => n.input ?? [])]);
  const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((t) => read.has(t.name ?? '') || inputs.has(t.name ?? ''));
}

/** Element-wise operators: each output element reads the same position of its inputs (with broadcasting). */
const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Erf',
  'Tanh',
  'Relu',
  'Sigmoid',
  'Neg',
  'Reciprocal',
  'Cast',
  'Identity',
]);
/** com.microsoft fusions of the same: GELU forms and the residual LayerNorm. */
const MS_POSITION_WISE = new Set(['Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'SkipLayerNormalization']);

/** Lookups over one graph and the initializers the rewrite adds. */
class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly readers = new Map<string, NodeProto[]>();
  readonly outputs: Set<string>;
  readonly added: TensorProto[] = [];
  private readonly initializers: Map<string, TensorProto>;
  private readonly constants = new Map<string, TensorProto>();
  private readonly taken = new Set<string>();

  constructor(private readonly graph: GraphProto) {
    this.initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
    this.outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
    for (const name of inputs) this.initializers.delete(name); // an initializer that is also an input can change
    for (const node of graph.node ?? []) {
      for (const out of node.output ?? []) this.producer.set(out, node);
      for (const input of node.input ?? []) this.readers.set(input, [...(this.readers.get(input) ?? []), node]);
      if (node.opType === 'Constant' && (!node.domain || node.domain === 'ai.onnx')) {
        const value = node.attribute?.find((a) => a.name === 'value')?.t;
        if (value) this.constants.set(node.output![0]!, value);
      }
      this.taken.add(node.name ?? '');
      for (const out of node.output ?? []) this.taken.add(out);
    }
    for (const name of this.initializers.keys()) this.taken.add(name);
  }

  isConstant(name: string): boolean {
    return this.initializers.has(name) || this.constants.has(name);
  }

  /** Integer values of a constant tensor (int64 or int32), or undefined. */
  ints(name: string): { dims: number[]; values: number[] } | undefined {
    const t = this.initializers.get(name) ?? this.constants.get(name);
    if (!t || (t.dataType !== DataType.INT64 && t.dataType !== DataType.INT32)) return undefined;
    const dims = (t.dims ?? []).map(Number);
    if (t.rawData && t.rawData.length > 0) {
      const raw = t.rawData;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const size = t.dataType === DataType.INT64 ? 8 : 4;
      const values = Array.from({ length: raw.byteLength / size }, (_, i) =>
        size === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true),
      );
      return { dims, values };
    }
    const list = t.dataType === DataType.INT64 ? (t.int64Data ?? []) : (t.int32Data ?? []);
    return { dims, values: list.map(Number) };
  }

  private attr(node: NodeProto, name: string): { i?: unknown; ints?: unknown[] } | undefined {
    const a = node.attribute?.find((x) => x.name === name);
    return a ? { i: a.i, ints: a.ints ?? undefined } : undefined;
  }

  private intAttr(node: NodeProto, name: string, fallback: number): number {
    const a = this.attr(node, name);
    return a?.i === undefined || a.i === null ? fallback : Number(a.i);
  }

  /** The one `Gather(x, 0, axis=1)` that picks the first token for the classification head. */
  firstTokenHead(): NodeProto | undefined {
    const heads = (this.graph.node ?? []).filter((n) => {
      if (n.opType !== 'Gather' || (n.domain && n.domain !== 'ai.onnx') || this.intAttr(n, 'axis', 0) !== 1)
        return false;
      const index = this.ints(n.input?.[1] ?? '');
      return index !== undefined && index.dims.length === 0 && index.values[0] === 0 && !this.isConstant(n.input![0]!);
    });
    return heads.length === 1 ? heads[0] : undefined;
  }

  /** True when every output row depends only on the same row of the activation inputs (weights constant). */
  isPositionWise(node: NodeProto): boolean {
    const op = node.opType ?? '';
    const domain = node.domain ?? '';
    const input = node.input ?? [];
    if (domain === 'com.microsoft') {
      if (op === 'MatMulIntegerToFloat') return input.slice(1).every((i) => !i || this.isConstant(i));
      return MS_POSITION_WISE.has(op);
    }
    if (domain !== '' && domain !== 'ai.onnx') return false;
    if (ELEMENTWISE.has(op)) return true;
    if (op === 'MatMul') return this.isConstant(input[1] ?? '') && this.rank(input[1]!) === 2;
    if (op === 'MatMulInteger') return input.slice(1).every((i) => !i || this.isConstant(i));
    if (op === 'QuantizeLinear' || op === 'DequantizeLinear')
      return input.slice(1).every((i) => !i || this.isConstant(i));
    if (op === 'LayerNormalization')
      return this.intAttr(node, 'axis', -1) === -1 && input.slice(1).every((i) => !i || this.isConstant(i));
    if (op === 'ReduceMean') {
      const axes = this.attr(node, 'axes')?.ints ?? this.ints(input[1] ?? '')?.values;
      return axes !== undefined && axes.length === 1 && Number(axes[0]) === -1;
    }
    // A Gather of channels (the outlier split of sift's int8 recipe), not of tokens.
    if (op === 'Gather') return this.intAttr(node, 'axis', 0) === -1 && this.isConstant(input[1] ?? '');
    return false;
  }

  private rank(name: string): number | undefined {
    const t = this.initializers.get(name) ?? this.constants.get(name);
    return t ? (t.dims ?? []).length : undefined;
  }

  /**
   * The attention whose merged heads are `tensor`: Reshape(Transpose(MatMul(Softmax(bias(Q·Kᵀ)), V)))
   * with each step read only by the next. Returns the Q·Kᵀ MatMul and its query input, the element-wise
   * steps between it and Softmax with their other activation inputs (the padding mask), and the Reshape.
   */
  attentionEndingAt(
    tensor: string,
  ): { merge: NodeProto; scores: NodeProto; query: string; biases: [NodeProto, string][] } | undefined {
    const only = (name: string | undefined, op: string): NodeProto | undefined => {
      const node = name === undefined ? undefined : this.producer.get(name);
      if (!node || node.opType !== op || (node.domain && node.domain !== 'ai.onnx')) return undefined;
      const out = node.output?.[0] ?? '';
      if (out !== name || this.outputs.has(out)) return undefined;
      return node;
    };
    const readOnce = (node: NodeProto): boolean => (this.readers.get(node.output![0]!) ?? []).length === 1;
    const merge = only(tensor, 'Reshape');
    if (!merge || this.intAttr(merge, 'allowzero', 0) !== 0) return undefined;
    const transpose = only(merge.input?.[0], 'Transpose');
    const perm = (this.attr(transpose ?? {}, 'perm')?.ints ?? []).map(Number);
    if (!transpose || !readOnce(transpose) || perm.join() !== '0,2,1,3') return undefined;
    const context = only(transpose.input?.[0], 'MatMul');
    if (!context || !readOnce(context)) return undefined;
    const softmax = only(context.input?.[0], 'Softmax');
    if (!softmax || !readOnce(softmax) || ![-1, 3].includes(this.intAttr(softmax, 'axis', -1))) return undefined;
    const biases: [NodeProto, string][] = [];
    let at = softmax.input?.[0];
    for (;;) {
      const node = at === undefined ? undefined : this.producer.get(at);
      if (!node || (node.domain && node.domain !== 'ai.onnx') || node.output?.[0] !== at || !readOnce(node))
        return undefined;
      if (node.opType === 'MatMul') {
        const query = node.input?.[0];
        if (!query || this.isConstant(query) || this.isConstant(node.input?.[1] ?? '')) return undefined;
        return { merge, scores: node, query, biases };
      }
      if (!['Add', 'Sub', 'Mul', 'Div'].includes(node.opType ?? '')) return undefined;
      const onPath = (node.input ?? []).filter((i) => !this.isConstant(i));
      const chain = onPath.find((i) => this.producer.get(i) !== undefined && this.leadsToScores(i));
      if (!chain) return undefined;
      for (const other of onPath) if (other !== chain) biases.push([node, other]);
      at = chain;
    }
  }

  /** Whether `tensor` is, through element-wise steps, the output of a MatMul of two activations. */
  private leadsToScores(tensor: string): boolean {
    for (let node = this.producer.get(tensor); node;) {
      if (node.opType === 'MatMul') return !(node.input ?? []).some((i) => this.isConstant(i));
      if (!['Add', 'Sub', 'Mul', 'Div'].includes(node.opType ?? '')) return false;
      const next = (node.input ?? []).filter((i) => !this.isConstant(i));
      if (next.length !== 1) return false;
      node = this.producer.get(next[0]!);
    }
    return false;
  }

  fresh(hint: string): string {
    let name = `sift_first_token/${hint}`;
    for (let i = 1; this.taken.has(name); i++) name = `sift_first_token/${hint}_${i}`;
    this.taken.add(name);
    return name;
  }

  int64Initializer(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    this.added.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      rawData: new Uint8Array(BigInt64Array.from(values, BigInt).buffer),
    });
    return name;
  }
}
