import onnxProto from 'onnx-proto';

/**
 * A small builder over the protobufjs ONNX messages of `onnx-proto`, so that a model file reads like
 * the architecture it encodes instead of like protobuf plumbing. It does only what `bert.ts` needs:
 * typed initializers, nodes with attributes, graph inputs/outputs/value infos, and unique names.
 */
const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** Element types the builder can declare for inputs, outputs and value infos. */
export type ElementType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8';

/** A dimension: a fixed size, or a symbolic name such as `batch_size`. */
export type Dim = number | string;

/** Typed arrays accepted as initializer data; the array type decides the ONNX element type. */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/** A float attribute; plain numbers are written as INT when they are integers, so wrap floats like 1.0. */
export interface FloatAttribute {
  readonly float: number;
}

/** Attribute values: integers, floats (non-integers or wrapped by {@link floatAttr}), int lists, strings. */
export type AttributeValue = number | FloatAttribute | readonly number[] | string;

/**
 * Marks a number as a FLOAT attribute even when it is integral.
 *
 * @example node('LeakyRelu', [x], { alpha: floatAttr(1) })
 */
export function floatAttr(value: number): FloatAttribute {
  return { float: value };
}

const elementTypes: Record<ElementType, number> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
};

/** The ONNX `TensorProto.DataType` code of an element type (for attributes such as Cast's `to`). */
export function onnxDataType(type: ElementType): number {
  return elementTypes[type];
}

function dataTypeOf(data: TensorData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Int8Array) return DataType.INT8;
  return DataType.UINT8;
}

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementTypes[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (typeof value === 'object' && 'float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttributeType.INT, i: value }
      : { name, type: AttributeType.FLOAT, f: value };
  }
  return { name, type: AttributeType.INTS, ints: [...value] };
}

/** Options of {@link OnnxGraph.node}. */
export interface NodeOptions {
  /** Node attributes by name. */
  attributes?: Record<string, AttributeValue>;
  /**
   * Names for the outputs: a graph output such as `logits`, or several for a multi-output node such as
   * DynamicQuantizeLinear. Default: one generated unique name.
   */
  outputs?: readonly string[];
}

/** Options of {@link OnnxGraph.toModel}. */
export interface ModelOptions {
  /** Default-domain opset version. Default 17 (LayerNormalization needs 17). */
  opset?: number;
  /** ONNX IR version. Default 8, which onnxruntime 1.30 reads and which `onnx-proto` (ONNX 1.10) knows. */
  irVersion?: number;
  /** `producer_name` of the model. Default `sift`. */
  producerName?: string;
}

/**
 * Builds one ONNX graph. Names are scoped like the exporters name them (`layer.0/attention/MatMul_3`),
 * and each method returns the tensor name(s) to wire into the next node.
 *
 * @example
 * const g = new OnnxGraph('add');
 * const x = g.input('x', 'float32', ['n']);
 * g.output(g.node('Add', [x, g.initializer('w', new Float32Array([1, 2]), [2])], { outputs: ['y'] })[0]!, 'float32', ['n']);
 * const bytes = g.toModel(); // Uint8Array, loadable by onnxruntime
 */
export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly valueInfos: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly scopes: string[] = [];

  constructor(private readonly name: string) {}

  /** Runs `build` with `scope` appended to the name prefix of everything it creates (`/a/b/MatMul_0`). */
  scope<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** A name not used before, from a hint prefixed by the current scope. */
  uniqueName(hint: string): string {
    const base = this.scopes.length > 0 ? `/${this.scopes.join('/')}/${hint}` : hint;
    if (!this.used.has(base)) return this.claim(base);
    let n = this.counters.get(base) ?? 1;
    while (this.used.has(`${base}_${n}`)) n++;
    this.counters.set(base, n + 1);
    return this.claim(`${base}_${n}`);
  }

  /** Declares a graph input and returns its name (used verbatim: inputs are the model's contract). */
  input(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Declares an existing tensor as a graph output with its type and shape. */
  output(name: string, type: ElementType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** Records the type and shape of an intermediate tensor (documentation for viewers; optional for runtimes). */
  valueInfo(name: string, type: ElementType, shape: readonly Dim[]): void {
    this.valueInfos.push(valueInfo(name, type, shape));
  }

  /** Adds a constant tensor; the element type follows the array type. Returns its unique name. */
  initializer(hint: string, data: TensorData, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(`onnx-graph: initializer ${hint} has ${data.length} values for dims [${dims.join(', ')}]`);
    }
    const name = this.uniqueName(hint);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: dataTypeOf(data),
      // raw_data is little-endian by the ONNX spec, which is what typed arrays hold on every platform Node runs on.
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** A float32 constant, scalar when `dims` is empty. */
  floatConstant(hint: string, values: readonly number[], dims: readonly number[] = []): string {
    return this.initializer(hint, Float32Array.from(values), dims);
  }

  /** An int64 constant, scalar when `dims` is empty. */
  int64Constant(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(
      hint,
      BigInt64Array.from(values, (v) => BigInt(v)),
      dims,
    );
  }

  /** Adds a node and returns its output names. Use '' in `inputs` for an omitted optional input. */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const name = this.uniqueName(opType);
    const outputs = options.outputs?.map((o) => this.claim(o)) ?? [this.claim(`${name}_output_0`)];
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(options.attributes ?? {}).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Adds a single-output node and returns the output name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    return this.node(opType, inputs, { attributes, outputs: output === undefined ? undefined : [output] })[0]!;
  }

  /** Serializes the graph as a model file. */
  toModel(options: ModelOptions = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: options.irVersion ?? 8,
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      producerName: options.producerName ?? 'sift',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfos,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`onnx-graph: the name ${name} is already taken`);
    this.used.add(name);
    return name;
  }
}
