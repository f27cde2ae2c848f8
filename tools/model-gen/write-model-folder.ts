import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildBertModel, type BertConfig } from './bert.js';
import { wordPieceTokenizerJson } from './wordpiece-tokenizer.js';

/** Options of {@link writeModelFolder}. */
export interface ModelFolderOptions {
  /** The model; `onnx/model.onnx` is built without and `onnx/model_quantized.onnx` with quantization. */
  model: Omit<BertConfig, 'quantize'>;
  /**
   * Builds the ONNX file (called for `model.onnx` with false, `model_quantized.onnx` with true).
   * Default: {@link buildBertModel} of `model`; another graph (a test model with known outputs) still
   * gets `model`'s `config.json`.
   */
  build?: (quantize: boolean) => Uint8Array;
  /**
   * The `tokenizer.json` to copy. Default: a generated WordPiece tokenizer whose vocabulary has
   * `model.vocabSize` tokens ({@link wordPieceTokenizerJson}), so the folder needs nothing outside the repo.
   */
  tokenizerPath?: string;
  /** The `config.json` to write. Default: {@link hubConfig} of `model` (marked as random weights). */
  config?: Record<string, unknown>;
  /** More files to copy in: path inside the folder -> source path (tokenizer_config.json, pooling config...). */
  extraFiles?: Record<string, string>;
  /** Contents of a `SOURCE.md` saying what the folder is. Default: none written. */
  source?: string;
  /**
   * When the folder already exists: `replace` it (default), or `keep` it and discard the new one — for
   * caches, where any complete folder for the same config is as good as another.
   */
  ifExists?: 'replace' | 'keep';
}

/** What {@link writeModelFolder} wrote. */
export interface ModelFolderResult {
  /** The folder. */
  dir: string;
  /** Byte sizes of `onnx/model.onnx` and `onnx/model_quantized.onnx`. */
  sizes: { fp32: number; quantized: number };
  /** False when `ifExists: 'keep'` found a complete folder and left it as it was. */
  written: boolean;
}

/**
 * Writes a generated model in the Hugging Face Hub layout sift loads (as the Xenova exports have it):
 * `config.json`, `tokenizer.json`, `onnx/model.onnx`, `onnx/model_quantized.onnx`. The folder is
 * assembled under a temporary name beside `dir` and renamed into place, so a concurrent reader
 * (another test process) sees either no folder or a complete one, never half of one.
 *
 * @example
 * await writeModelFolder('/tmp/tiny', { model: { ...tinyConfig, head: 'feature-extraction' } })
 * // -> { dir: '/tmp/tiny', sizes: { fp32: 4063132, quantized: 4024348 }, written: true }
 */
export async function writeModelFolder(dir: string, options: ModelFolderOptions): Promise<ModelFolderResult> {
  const ifExists = options.ifExists ?? 'replace';
  if (ifExists === 'keep' && (await exists(dir))) return { dir, sizes: await onnxSizes(dir), written: false };

  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(join(tmp, 'onnx'), { recursive: true });
    const build = options.build ?? ((quantize: boolean) => buildBertModel({ ...options.model, quantize }));
    const fp32 = build(false);
    await writeFile(join(tmp, 'onnx', 'model.onnx'), fp32);
    const quantized = build(true);
    await writeFile(join(tmp, 'onnx', 'model_quantized.onnx'), quantized);
    await writeFile(
      join(tmp, 'config.json'),
      `${JSON.stringify(options.config ?? hubConfig(options.model), null, 2)}\n`,
    );
    for (const [to, from] of Object.entries(options.extraFiles ?? {})) {
      await mkdir(dirname(join(tmp, to)), { recursive: true });
      await copyFile(from, join(tmp, to));
    }
    if (options.tokenizerPath !== undefined) await copyFile(options.tokenizerPath, join(tmp, 'tokenizer.json'));
    else await writeFile(join(tmp, 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJson(options.model.vocabSize)));
    if (options.source !== undefined) await writeFile(join(tmp, 'SOURCE.md'), options.source);
    const written = await moveIntoPlace(tmp, dir, ifExists);
    return { dir, sizes: written ? { fp32: fp32.length, quantized: quantized.length } : await onnxSizes(dir), written };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The Hugging Face `config.json` of a generated model: the fields of a real `BertConfig` export, so
 * code that reads labels or sizes from it behaves as it would with the Hub's files.
 */
export function hubConfig(model: Omit<BertConfig, 'quantize'>): Record<string, unknown> {
  const classifier = model.head === 'sequence-classification';
  const numLabels = model.numLabels ?? 1;
  const labels = Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  return {
    architectures: [classifier ? 'BertForSequenceClassification' : 'BertModel'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: model.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: model.intermediateSize,
    layer_norm_eps: 1e-12,
    max_position_embeddings: model.maxPositions,
    num_attention_heads: model.numHeads,
    num_hidden_layers: model.numLayers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: model.typeVocabSize,
    vocab_size: model.vocabSize,
    ...(classifier && {
      num_labels: numLabels,
      id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    }),
    // Not a Hugging Face field: marks the weights as random so nobody mistakes them for a trained model.
    sift_generated: { generator: 'tools/model-gen', seed: model.seed, random_weights: true },
  };
}

/** Renames `tmp` to `dir`; returns false when `keep` found `dir` already there. */
async function moveIntoPlace(tmp: string, dir: string, ifExists: 'replace' | 'keep'): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(tmp, dir); // atomic; fails with ENOTEMPTY/EEXIST when dir exists and is not empty
      return true;
    } catch (error) {
      if (!(await exists(dir)) || attempt >= 3) throw error;
      if (ifExists === 'keep') return false;
      // Replace: move the old folder aside first (readers then briefly see no folder, never a mixed one).
      const old = `${tmp}.old`;
      await rename(dir, old).catch(() => undefined); // another writer may have moved it already
      await rm(old, { recursive: true, force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function onnxSizes(dir: string): Promise<ModelFolderResult['sizes']> {
  const [fp32, quantized] = await Promise.all(
    ['model.onnx', 'model_quantized.onnx'].map(async (f) => (await stat(join(dir, 'onnx', f))).size),
  );
  return { fp32: fp32!, quantized: quantized! };
}
