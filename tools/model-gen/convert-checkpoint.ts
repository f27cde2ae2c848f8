import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BertConfig, BertHead } from './bert.js';
import { CheckpointBertWeights } from './bert-weights.js';
import { readSafetensors } from './safetensors.js';
import { writeModelFolder, type ModelFolderResult } from './write-model-folder.js';

/** Small files of a Hub checkpoint copied beside the ONNX files when present. */
const SIDE_FILES = [
  'tokenizer_config.json',
  'special_tokens_map.json',
  'modules.json',
  'sentence_bert_config.json',
  '1_Pooling/config.json',
  'README.md',
];

/** What {@link convertBertCheckpoint} did. */
export interface ConvertResult extends ModelFolderResult {
  /** The head read from `architectures`. */
  head: BertHead;
  /** sha256 of the source `model.safetensors`, to compare with the Hub's LFS object id. */
  sha256: string;
  /** Checkpoint tensors the graph does not use (the pooler of a bi-encoder, say). */
  unused: string[];
}

/**
 * Converts a BERT checkpoint in the Hugging Face layout (`config.json`, `model.safetensors`,
 * `tokenizer.json`) into the folder sift loads: `onnx/model.onnx` (fp32) and
 * `onnx/model_quantized.onnx` (int8 weights, per tensor, uint8 dynamic activations: what
 * transformers.js's `quantize.py` writes for q8), plus the config and tokenizer files. The graph is
 * the one `buildBertModel` generates, filled with the checkpoint's weights; `BertModel` checkpoints
 * give `last_hidden_state`, `BertForSequenceClassification` ones give `logits`.
 *
 * For machines that cannot reach the Hub's ONNX exports but have a checkpoint (from a package
 * registry, a colleague, a training run). Only BERT with absolute positions and exact GELU.
 *
 * @example await convertBertCheckpoint('/ckpt/all-MiniLM-L6-v2', '/models/sentence-transformers/all-MiniLM-L6-v2')
 */
export async function convertBertCheckpoint(src: string, dest: string): Promise<ConvertResult> {
  const configPath = join(src, 'config.json');
  const weightsPath = join(src, 'model.safetensors');
  const tokenizerPath = join(src, 'tokenizer.json');
  for (const [path, what] of [
    [configPath, 'config.json'],
    [weightsPath, 'model.safetensors (pytorch_model.bin is not read: convert it to safetensors first)'],
    [tokenizerPath, 'tokenizer.json'],
  ] as const) {
    if (!existsSync(path)) throw new Error(`convert: ${src} has no ${what}`);
  }
  const hf = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const model = bertConfigOf(hf, src);
  const tensors = await readSafetensors(weightsPath);

  const weights = new CheckpointBertWeights(tensors);
  // One weights object serves both builds: they read the same tensors, and `used` collects them.
  const sha256 = await fileSha256(weightsPath);
  const extraFiles = Object.fromEntries(
    SIDE_FILES.filter((f) => existsSync(join(src, f))).map((f) => [f, join(src, f)]),
  );
  const result = await writeModelFolder(dest, {
    model: { ...model, weights },
    config: hf,
    tokenizerPath,
    extraFiles,
    source: sourceNote(src, sha256, model.head),
  });
  const unused = [...tensors.keys()].filter((k) => !weights.used.has(k));
  return { ...result, head: model.head, sha256, unused };
}

/** The generator config of a Hugging Face `BertConfig`; refuses what the graph cannot express. */
export function bertConfigOf(hf: Record<string, unknown>, src: string): Omit<BertConfig, 'quantize'> {
  const refuse = (why: string): never => {
    throw new Error(`convert: ${src}/config.json: ${why}`);
  };
  if (hf.model_type !== 'bert') refuse(`model_type ${JSON.stringify(hf.model_type)} is not supported (only "bert")`);
  if ((hf.position_embedding_type ?? 'absolute') !== 'absolute')
    refuse(`position_embedding_type ${JSON.stringify(hf.position_embedding_type)} is not supported (only "absolute")`);
  if ((hf.hidden_act ?? 'gelu') !== 'gelu')
    refuse(`hidden_act ${JSON.stringify(hf.hidden_act)} is not supported (only "gelu")`);
  const int = (key: string): number => {
    const v = hf[key];
    return typeof v === 'number' && Number.isInteger(v) && v > 0
      ? v
      : refuse(`${key} is missing or not a positive integer`);
  };
  const architectures = Array.isArray(hf.architectures) ? (hf.architectures as unknown[]) : [];
  const head: BertHead = architectures.includes('BertForSequenceClassification')
    ? 'sequence-classification'
    : 'feature-extraction';
  let numLabels: 1 | 2 | undefined;
  if (head === 'sequence-classification') {
    const labels =
      typeof hf.num_labels === 'number' ? hf.num_labels : hf.id2label ? Object.keys(hf.id2label).length : 2;
    if (labels !== 1 && labels !== 2)
      refuse(`${labels} labels: a judge has 1 (a relevance logit) or 2 (softmax classes)`);
    numLabels = labels as 1 | 2;
  }
  return {
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings'),
    typeVocabSize: int('type_vocab_size'),
    layerNormEps: typeof hf.layer_norm_eps === 'number' ? hf.layer_norm_eps : 1e-12,
    seed: 0,
    head,
    ...(numLabels !== undefined && { numLabels }),
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sourceNote(src: string, sha256: string, head: BertHead): string {
  return `# Converted checkpoint

Converted by sift's \`tools/model-gen/convert-checkpoint.ts\` (\`npm run models:convert\`) from
\`${src}\` (\`model.safetensors\` sha256 \`${sha256}\`; compare with the Hub's LFS object id).

- \`onnx/model.onnx\`: the checkpoint's float32 weights in sift's generated BERT graph (${head === 'feature-extraction' ? '`last_hidden_state`' : '`logits`'}).
- \`onnx/model_quantized.onnx\`: int8 weights per tensor with uint8 dynamic activations
  (DynamicQuantizeLinear + MatMulInteger), as transformers.js's \`quantize.py\` writes q8.
- \`config.json\` and the tokenizer files are the checkpoint's own.
`;
}
