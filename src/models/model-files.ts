/**
 * The Hugging Face Hub file layout sift reads, in one place: which files a model folder holds and
 * which ONNX graph belongs to which dtype. Transformers.js exports (Xenova/..., onnx-community/...)
 * all use this layout, so a Hub snapshot, a `git clone` of the repo and sift's own cache look alike.
 */
import { SiftError } from '../errors.js';
import type { ModelDtype } from './model-spec.js';

/** Every dtype sift can run, in the order `--dtype all` fetches them. */
export const MODEL_DTYPES: readonly ModelDtype[] = ['fp32', 'q8'];

/**
 * The graph resolved when none is asked for: fp32, because every export ships it and it reproduces the
 * reference logits of the PyTorch models. The judge runs `int8` by default, which sift derives from this
 * same fp32 file (`defaultJudgeDtype` in src/reranking/cross-encoder.ts), so fetching fp32 serves both.
 */
export const DEFAULT_DTYPE: ModelDtype = 'fp32';

/**
 * The ONNX graph of each dtype, relative to the model folder. `int8` reads the float32 graph and
 * quantizes it in sift (src/runtime/int8): int8 weights per column, embeddings left in float32.
 */
export const ONNX_FILE: Readonly<Record<ModelDtype, string>> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model.onnx',
};

/** Files a model folder must have besides the graph. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json'] as const;

/** Files fetched when the repository has them; tokenization may read them for special tokens. */
export const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json'] as const;

/**
 * True when `file` is external data of the graph `onnxFile`: `onnx/model.onnx_data`,
 * `onnx/model.onnx.data`, or a numbered shard such as `onnx/model.onnx_data_1`.
 *
 * @example
 * isExternalDataOf('onnx/model.onnx_data', 'onnx/model.onnx'); // true
 * isExternalDataOf('onnx/model_quantized.onnx', 'onnx/model.onnx'); // false
 */
export function isExternalDataOf(file: string, onnxFile: string): boolean {
  return file.startsWith(`${onnxFile}_data`) || file.startsWith(`${onnxFile}.data`);
}

/**
 * Parses a `--dtype` value: `fp32` (`float32`), `q8` (`quantized`: the repository's
 * `onnx/model_quantized.onnx`) or `int8` (sift quantizes `onnx/model.onnx` itself), or throws
 * INVALID_OPTION naming the value.
 */
export function parseDtype(value: string): ModelDtype {
  const v = value.trim().toLowerCase();
  if (v === 'fp32' || v === 'float32') return 'fp32';
  if (v === 'q8' || v === 'quantized') return 'q8';
  if (v === 'int8') return 'int8';
  throw new SiftError('INVALID_OPTION', `\`dtype\` must be fp32, q8 or int8, got "${value}"`, {
    details: { option: 'dtype' },
  });
}
