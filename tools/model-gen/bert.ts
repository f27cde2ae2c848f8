import { OnnxGraph, floatAttr, onnxDataType } from './onnx-graph.js';
import { quantizeWeight, type QuantizedWeightType } from '../../src/runtime/int8/quantize-weight.js';
import { RandomBertWeights, type BertWeights } from './bert-weights.js';

/** What the model ends in, matching the two kinds of Hub exports sift runs. */
export type BertHead =
  /** [CLS] -> pooler dense + Tanh -> classifier: output `logits` [batch_size, numLabels] (cross-encoders). */
  | 'sequence-classification'
  /** The encoder's last layer: output `last_hidden_state` [batch_size, sequence_length, hidden] (bi-encoders). */
  | 'feature-extraction';

/** The shape, head and weights of a generated BERT model. Field names follow Hugging Face `BertConfig`. */
export interface BertConfig {
  /** Token ids accepted; 30522 for the bert-base-uncased WordPiece vocabulary. */
  vocabSize: number;
  /** Width of every hidden vector; a multiple of `numHeads`. MiniLM-L6: 384. */
  hiddenSize: number;
  /** Transformer layers. MiniLM-L6: 6. */
  numLayers: number;
  /** Attention heads per layer. MiniLM-L6: 12. */
  numHeads: number;
  /** Width of the feed-forward layer. MiniLM-L6: 1536. */
  intermediateSize: number;
  /** Longest sequence the position embeddings cover (`max_position_embeddings`). BERT: 512. */
  maxPositions: number;
  /** Rows of the token-type embedding. BERT: 2; XLM-RoBERTa: 1. */
  typeVocabSize: number;
  /** Seed of random weights; equal configs give byte-identical models. Unused when `weights` is given. */
  seed: number;
  /** Where the weights come from. Default: random ones from `seed` ({@link RandomBertWeights}). */
  weights?: BertWeights;
  /** The output head. */
  head: BertHead;
  /** LayerNorm epsilon (`layer_norm_eps`). Default 1e-12, BERT's. */
  layerNormEps?: number;
  /** Logits of a `sequence-classification` head: 1 (a relevance score) or 2 (softmax classes). Default 1. */
  numLabels?: 1 | 2;
  /**
   * Whether the model takes `token_type_ids`. Default true. False gives the input set of XLM-RoBERTa
   * exports (bge-reranker): token type 0 is then added to every position as a constant.
   */
  tokenTypeInput?: boolean;
  /** Int8 dynamic quantization of the weight MatMuls, as in the Hub's `onnx/model_quantized.onnx`. Default false. */
  quantize?: boolean;
  /** How quantized weights are laid out. Default {@link HUB_Q8_RECIPE}. */
  quantization?: Partial<QuantizationRecipe>;
  /**
   * Standard deviation of the encoder weights. Default 0.02, BERT's initializer range. Larger values
   * (~1/sqrt(hiddenSize)) make every token sway the output, which tests of score differences want.
   */
  initStd?: number;
  /**
   * Standard deviation of the classifier weights. Default 2/sqrt(hiddenSize). Trained cross-encoders
   * spread logits over several units; raise this to spread random ones wider.
   */
  classifierStd?: number;
}

/**
 * A q8 recipe: the options of onnxruntime's `quantize_dynamic` (activations are always uint8,
 * quantized per batch by DynamicQuantizeLinear).
 */
export interface QuantizationRecipe {
  /** Element type of the MatMul weights. */
  weightType: QuantizedWeightType;
  /** One scale per output column of each weight (`per_channel`). */
  perChannel: boolean;
  /** 7-bit weights (`reduce_range`). */
  reduceRange: boolean;
  /** Embedding tables stored as uint8 per tensor and dequantized after the Gather (quantize_dynamic's GatherQuant). */
  embeddings: boolean;
  /** Linear layers kept in float32, by Hugging Face name (e.g. `/layer\.\d+\.output\.dense$/`, the FFN's second layer). Default none. */
  keepFloat?: RegExp;
}

/**
 * What transformers.js's conversion script (`scripts/convert.py`, which made the Xenova exports of the
 * MiniLM and bge models) passes to `quantize_dynamic` for BERT-family models: int8 weights,
 * `per_channel` and `reduce_range` on; Gather is in the op set, so embedding tables are quantized too.
 */
export const HUB_Q8_RECIPE: QuantizationRecipe = {
  weightType: 'int8',
  perChannel: true,
  reduceRange: true,
  embeddings: true,
};

/** LayerNorm epsilon of BERT (`layer_norm_eps`), the default of `BertConfig.layerNormEps`. */
const LAYER_NORM_EPS = 1e-12;
/**
 * Added to attention scores at padding keys. exp(-1e4) is exactly 0 in float32, so a padded sequence
 * attends exactly as it does alone; this is the value BERT's own code used before `finfo.min`.
 */
const MASK_BIAS = -10000;

/**
 * Builds a BERT encoder as an ONNX (opset 17) model with the inputs and outputs of the Hub's
 * Optimum/Xenova exports: int64 `input_ids`, `attention_mask` and (unless disabled) `token_type_ids`,
 * all [batch_size, sequence_length], to `logits` or `last_hidden_state`. By default the weights are
 * random but deterministic, so the model is good for shapes, invariances and speed, never for
 * relevance; `config.weights` fills the same graph from a real checkpoint instead.
 *
 * @example
 * const bytes = buildBertModel({ vocabSize: 30522, hiddenSize: 32, numLayers: 2, numHeads: 4,
 *   intermediateSize: 64, maxPositions: 512, typeVocabSize: 2, seed: 1, head: 'sequence-classification' });
 * // await ort.InferenceSession.create(bytes) -> outputs { logits: float32 [batch_size, 1] }
 */
export function buildBertModel(config: BertConfig): Uint8Array {
  const { hiddenSize: hidden, numHeads } = config;
  if (hidden % numHeads !== 0) {
    throw new Error(`bert: hiddenSize ${hidden} is not a multiple of numHeads ${numHeads}`);
  }
  const b = new BertBuilder(config);
  const ids = b.g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = b.g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const types =
    config.tokenTypeInput === false
      ? undefined
      : b.g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);

  let x = b.g.scope('embeddings', () => b.embeddings(ids, types));
  const maskBias = b.g.scope('mask', () => b.attentionMaskBias(mask));
  for (let i = 0; i < config.numLayers; i++) {
    const last = i === config.numLayers - 1 && config.head === 'feature-extraction';
    x = b.g.scope(`encoder/layer.${i}`, () => b.layer(i, x, maskBias, last ? 'last_hidden_state' : undefined));
  }

  if (config.head === 'feature-extraction') {
    b.g.output(x, 'float32', ['batch_size', 'sequence_length', hidden]);
  } else {
    const numLabels = config.numLabels ?? 1;
    const logits = b.classifierHead(x, numLabels);
    b.g.output(logits, 'float32', ['batch_size', numLabels]);
  }
  return b.g.toModel({ opset: 17 });
}

/** The graph under construction, its weight source, and one method per BERT block. */
class BertBuilder {
  readonly g = new OnnxGraph('bert');
  private readonly weights: BertWeights;
  private readonly std: number;
  private readonly headDim: number;
  /** DynamicQuantizeLinear outputs per activation: Q, K and V share one, as quantize_dynamic writes it. */
  private readonly quantizedInputs = new Map<string, string[]>();
  private readonly recipe: QuantizationRecipe | undefined;

  constructor(private readonly config: BertConfig) {
    this.weights = config.weights ?? new RandomBertWeights(config.seed);
    this.std = config.initStd ?? 0.02;
    this.headDim = config.hiddenSize / config.numHeads;
    this.recipe = config.quantize ? { ...HUB_Q8_RECIPE, ...config.quantization } : undefined;
  }

  /** word + position + token-type embeddings, then LayerNorm. Positions are 0..sequence_length-1. */
  embeddings(ids: string, types: string | undefined): string {
    const { vocabSize, hiddenSize: h, maxPositions, typeVocabSize } = this.config;
    const g = this.g;
    const w = this.weights;
    const wordTable = w.table('embeddings.word_embeddings.weight', vocabSize, h, this.std);
    const positionTable = w.table('embeddings.position_embeddings.weight', maxPositions, h, this.std);
    const typeWeights = w.table('embeddings.token_type_embeddings.weight', typeVocabSize, h, this.std);

    const words = this.lookup('word_embeddings.weight', wordTable, [vocabSize, h], ids);
    // Range over the runtime length, so one model serves every padded batch width.
    const length = g.op('Gather', [g.op('Shape', [ids]), g.int64Constant('one', [1], [])], { axis: 0 });
    const positionIds = g.op('Range', [g.int64Constant('zero', [0], []), length, g.int64Constant('one', [1], [])]);
    const positions = this.lookup('position_embeddings.weight', positionTable, [maxPositions, h], positionIds);

    const typeEmbedding =
      types === undefined
        ? // No token_type_ids input: every token has type 0, as XLM-RoBERTa models do.
          g.initializer('token_type_embeddings.row0', typeWeights.slice(0, h), [h])
        : this.lookup('token_type_embeddings.weight', typeWeights, [typeVocabSize, h], types);

    const sum = g.op('Add', [g.op('Add', [words, positions]), typeEmbedding]);
    return this.layerNorm('embeddings.LayerNorm', sum);
  }

  /** Rows of an embedding table; quantized, a uint8 table is gathered and then dequantized, as GatherQuant writes it. */
  lookup(hint: string, table: Float32Array, dims: [number, number], ids: string): string {
    const g = this.g;
    if (!this.recipe?.embeddings) return g.op('Gather', [g.initializer(hint, table, dims), ids]);
    const q = quantizeWeight(table, { type: 'uint8' });
    const gathered = g.op('Gather', [g.initializer(`${hint}_quantized`, q.data, dims), ids]);
    return g.op('DequantizeLinear', [
      gathered,
      g.initializer(`${hint}_scale`, q.scales, []),
      g.initializer(`${hint}_zero_point`, q.zeroPoints, []),
    ]);
  }

  /** attention_mask [B, S] -> additive bias [B, 1, 1, S]: 0 at tokens, MASK_BIAS at padding. */
  attentionMaskBias(mask: string): string {
    const g = this.g;
    const m = g.op('Cast', [mask], { to: onnxDataType('float32') });
    const inverted = g.op('Sub', [g.floatConstant('one', [1]), m]);
    const bias = g.op('Mul', [inverted, g.floatConstant('mask_bias', [MASK_BIAS])]);
    return g.op('Unsqueeze', [bias, g.int64Constant('axes', [1, 2])]);
  }

  /** One transformer layer: self-attention and feed-forward, each with residual + LayerNorm (post-LN). */
  layer(index: number, x: string, maskBias: string, outputName?: string): string {
    const g = this.g;
    const { hiddenSize: hidden, intermediateSize } = this.config;
    const name = `encoder.layer.${index}`;
    const attended = g.scope('attention', () => {
      const context = this.selfAttention(`${name}.attention.self`, x, maskBias);
      const out = g.scope('output', () => this.dense(`${name}.attention.output.dense`, context, hidden, hidden));
      return this.layerNorm(`${name}.attention.output.LayerNorm`, g.op('Add', [out, x]));
    });
    return g.scope('ffn', () => {
      const inner = g.scope('intermediate', () =>
        this.gelu(this.dense(`${name}.intermediate.dense`, attended, hidden, intermediateSize)),
      );
      const out = g.scope('output', () => this.dense(`${name}.output.dense`, inner, intermediateSize, hidden));
      return this.layerNorm(`${name}.output.LayerNorm`, g.op('Add', [out, attended]), outputName);
    });
  }

  /** Multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1) with the padding bias. */
  selfAttention(name: string, x: string, maskBias: string): string {
    const g = this.g;
    const { numHeads, hiddenSize } = this.config;
    const q = g.scope('query', () => this.dense(`${name}.query`, x, hiddenSize, hiddenSize));
    const k = g.scope('key', () => this.dense(`${name}.key`, x, hiddenSize, hiddenSize));
    const v = g.scope('value', () => this.dense(`${name}.value`, x, hiddenSize, hiddenSize));
    // [B, S, H] -> [B, S, heads, headDim]; 0 in a Reshape shape keeps that dimension.
    const headsShape = g.int64Constant('heads_shape', [0, 0, numHeads, this.headDim]);
    const split = (t: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm });
    const qh = split(q, [0, 2, 1, 3]); // [B, heads, S, headDim]
    const kt = split(k, [0, 2, 3, 1]); // [B, heads, headDim, S]
    const vh = split(v, [0, 2, 1, 3]);
    const scores = g.op('Div', [g.op('MatMul', [qh, kt]), g.floatConstant('sqrt_head_dim', [Math.sqrt(this.headDim)])]);
    const probs = g.op('Softmax', [g.op('Add', [scores, maskBias])], { axis: -1 });
    const context = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] });
    return g.op('Reshape', [context, g.int64Constant('hidden_shape', [0, 0, hiddenSize])]);
  }

  /** The sequence-classification head on the [CLS] vector: pooler (dense + Tanh) then classifier. */
  classifierHead(x: string, numLabels: number): string {
    const g = this.g;
    const h = this.config.hiddenSize;
    const cls = g.op('Gather', [x, g.int64Constant('zero', [0], [])], { axis: 1 }); // [B, H]
    // Scaled by 1/sqrt(h), the pooler's pre-Tanh values have std ~1 whatever the width, so Tanh neither
    // saturates nor stays linear; the classifier then sets how far logits spread.
    const pooled = g.scope('pooler', () => g.op('Tanh', [this.dense('pooler.dense', cls, h, h, 1 / Math.sqrt(h))]));
    const std = this.config.classifierStd ?? 2 / Math.sqrt(h);
    return g.scope('classifier', () => this.dense('classifier', pooled, h, numLabels, std, 'logits'));
  }

  /**
   * x @ W + b for the Linear layer `name`, W [inSize, outSize]. Quantized, the MatMul becomes what quantize_dynamic writes:
   * DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast float -> Mul (x_scale * W_scale).
   */
  dense(name: string, x: string, inSize: number, outSize: number, std = this.std, outputName?: string): string {
    const g = this.g;
    const weights = this.weights.linearWeight(name, inSize, outSize, std);
    const bias = g.initializer('bias', this.weights.linearBias(name, outSize), [outSize]);
    let product: string;
    if (this.recipe && !this.recipe.keepFloat?.test(name)) {
      const { weightType: type, perChannel, reduceRange } = this.recipe;
      const qw = quantizeWeight(weights, { type, reduceRange, ...(perChannel && { perColumnOf: outSize }) });
      const w = g.initializer('weight_quantized', qw.data, [inSize, outSize]);
      const paramDims = perChannel ? [outSize] : [];
      const wScale = g.initializer('weight_scale', qw.scales, paramDims);
      const wZeroPoint = g.initializer('weight_zero_point', qw.zeroPoints, paramDims);
      const [xq, xScale, xZeroPoint] = this.quantizedInput(x);
      const integer = g.op('MatMulInteger', [xq!, w, xZeroPoint!, wZeroPoint]);
      const asFloat = g.op('Cast', [integer], { to: onnxDataType('float32') });
      product = g.op('Mul', [asFloat, g.op('Mul', [xScale!, wScale])]);
    } else {
      product = g.op('MatMul', [x, g.initializer('weight', weights, [inSize, outSize])]);
    }
    return g.op('Add', [product, bias], undefined, outputName);
  }

  /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as BERT's `hidden_act: "gelu"` (Hendrycks & Gimpel 2016). */
  gelu(x: string): string {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Div', [x, g.floatConstant('sqrt2', [Math.SQRT2])])]);
    const onePlus = g.op('Add', [erf, g.floatConstant('one', [1])]);
    return g.op('Mul', [g.op('Mul', [x, onePlus]), g.floatConstant('half', [0.5])]);
  }

  /** LayerNormalization `name` over the hidden axis (random weights: gamma 1 and beta 0, as BERT initializes them). */
  layerNorm(name: string, x: string, outputName?: string): string {
    const g = this.g;
    const h = this.config.hiddenSize;
    const { gamma: gammaData, beta: betaData } = this.weights.layerNorm(name, h);
    const gamma = g.initializer('LayerNorm.weight', gammaData, [h]);
    const beta = g.initializer('LayerNorm.bias', betaData, [h]);
    return g.op(
      'LayerNormalization',
      [x, gamma, beta],
      { axis: -1, epsilon: floatAttr(this.config.layerNormEps ?? LAYER_NORM_EPS) },
      outputName,
    );
  }

  private quantizedInput(x: string): string[] {
    let outputs = this.quantizedInputs.get(x);
    if (!outputs) {
      outputs = this.g.node('DynamicQuantizeLinear', [x], {
        outputs: [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`],
      });
      this.quantizedInputs.set(x, outputs);
    }
    return outputs;
  }
}

/** MiniLM-L6-H384 (Wang et al. 2020) as published: the shape of all-MiniLM-L6-v2 and ms-marco-MiniLM-L-6-v2. */
export const MINILM_L6_SHAPE: Omit<BertConfig, 'head' | 'seed'> = {
  vocabSize: 30522,
  hiddenSize: 384,
  numLayers: 6,
  numHeads: 12,
  intermediateSize: 1536,
  maxPositions: 512,
  typeVocabSize: 2,
};
