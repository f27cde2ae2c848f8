import { SeededRandom } from './seeded-random.js';

/**
 * Where a generated BERT gets its weights. Every tensor is named as in Hugging Face's `BertModel`
 * state dict (`embeddings.word_embeddings.weight`, `encoder.layer.3.attention.self.query`, ...), so a
 * real checkpoint can fill the same graph the random generator builds.
 */
export interface BertWeights {
  /** True when the weights are random (config.json then says so). */
  readonly random: boolean;
  /** A lookup table `[rows, cols]` (word, position, token-type embeddings), row-major. */
  table(name: string, rows: number, cols: number, std: number): Float32Array;
  /**
   * The weight of a Linear layer `name` in ONNX MatMul layout `[inSize, outSize]` (PyTorch stores
   * `[outSize, inSize]`; a checkpoint source transposes).
   */
  linearWeight(name: string, inSize: number, outSize: number, std: number): Float32Array;
  /** The bias of a Linear layer `name`, `[outSize]`. */
  linearBias(name: string, outSize: number): Float32Array;
  /** The gamma (`weight`) and beta (`bias`) of the LayerNorm `name`, `[size]` each. */
  layerNorm(name: string, size: number): { gamma: Float32Array; beta: Float32Array };
}

/**
 * Random weights as BERT initializes them: normal(0, std) matrices drawn in call order from one seeded
 * stream, zero biases, LayerNorm gamma 1 and beta 0. Biases and LayerNorms draw nothing, so the
 * stream (and a model's bytes) depends only on the order of tables and Linear weights.
 */
export class RandomBertWeights implements BertWeights {
  readonly random = true;
  private readonly stream: SeededRandom;

  constructor(seed: number) {
    this.stream = new SeededRandom(seed);
  }

  table(_name: string, rows: number, cols: number, std: number): Float32Array {
    return this.stream.normal(rows * cols, std);
  }

  linearWeight(_name: string, inSize: number, outSize: number, std: number): Float32Array {
    return this.stream.normal(inSize * outSize, std);
  }

  linearBias(_name: string, outSize: number): Float32Array {
    return new Float32Array(outSize);
  }

  layerNorm(_name: string, size: number): { gamma: Float32Array; beta: Float32Array } {
    return { gamma: new Float32Array(size).fill(1), beta: new Float32Array(size) };
  }
}

/** A named float32 tensor in PyTorch layout, as a checkpoint stores it. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Weights read from a checkpoint's state dict (see `safetensors.ts`). Names may carry the `bert.`
 * prefix that `BertForSequenceClassification` checkpoints use. A missing tensor or a shape that
 * differs from the config fails naming both, never silently falling back to random values.
 */
export class CheckpointBertWeights implements BertWeights {
  readonly random = false;
  /** Names of tensors read so far; the converter reports checkpoint tensors never read. */
  readonly used = new Set<string>();

  constructor(private readonly tensors: ReadonlyMap<string, NamedTensor>) {}

  table(name: string, rows: number, cols: number): Float32Array {
    return this.read(`${name}`, [rows, cols]);
  }

  linearWeight(name: string, inSize: number, outSize: number): Float32Array {
    return transpose(this.read(`${name}.weight`, [outSize, inSize]), outSize, inSize);
  }

  linearBias(name: string, outSize: number): Float32Array {
    return this.read(`${name}.bias`, [outSize]);
  }

  layerNorm(name: string, size: number): { gamma: Float32Array; beta: Float32Array } {
    return { gamma: this.read(`${name}.weight`, [size]), beta: this.read(`${name}.bias`, [size]) };
  }

  private read(name: string, shape: number[]): Float32Array {
    const key = [name, `bert.${name}`].find((k) => this.tensors.has(k));
    if (key === undefined) throw new Error(`checkpoint: no tensor ${name} (nor bert.${name})`);
    const tensor = this.tensors.get(key)!;
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new Error(
        `checkpoint: ${key} has shape [${tensor.shape.join(', ')}], the config needs [${shape.join(', ')}]`,
      );
    }
    this.used.add(key);
    return tensor.data;
  }
}

/**
 * A row-major `[rows, cols]` matrix as row-major `[cols, rows]`: PyTorch's Linear layout to ONNX MatMul's and back.
 *
 * @example transpose(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3) // [1, 4, 2, 5, 3, 6]
 */
export function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c]!;
  return out;
}
