/**
 * One checkpoint for every runner of the peers suite: a full-size random-weight MiniLM-L6 cross-encoder
 * (the shape of cross-encoder/ms-marco-MiniLM-L-6-v2) written as a Hugging Face folder (`config.json`,
 * `model.safetensors`, tokenizer files) that sentence-transformers, OpenVINO and onnxruntime load, and
 * converted by sift's own converter into the ONNX folder sift loads. Same tensors in both: the peers
 * suite checks that every fp32 runner's logits equal sift's before it times anything.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile, copyFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  RandomBertWeights,
  transpose,
  type BertWeights,
  type NamedTensor,
} from '../../tools/model-gen/bert-weights.js';
import { buildBertModel, MINILM_L6_SHAPE, type BertConfig } from '../../tools/model-gen/bert.js';
import { convertBertCheckpoint } from '../../tools/model-gen/convert-checkpoint.js';
import { bertTokenizerPath } from '../../tools/model-gen/paths.js';
import { writeSafetensors } from '../../tools/model-gen/safetensors.js';
import { hubConfig } from '../../tools/model-gen/write-model-folder.js';
import { BERT_TOKENIZER_CONFIG } from '../../tools/model-gen/wordpiece-tokenizer.js';

/** MiniLM-L6-H384 with a one-logit head, seed 6 (as `npm run models:random`'s judge). */
const CONFIG: Omit<BertConfig, 'quantize'> = {
  ...MINILM_L6_SHAPE,
  seed: 6,
  head: 'sequence-classification',
  numLabels: 1,
};

/** Random weights that also keep every tensor under its `BertForSequenceClassification` name, in PyTorch layout. */
class RecordingWeights implements BertWeights {
  readonly random = true;
  readonly tensors = new Map<string, NamedTensor>();
  private readonly inner: RandomBertWeights;

  constructor(seed: number) {
    this.inner = new RandomBertWeights(seed);
  }

  table(name: string, rows: number, cols: number, std: number): Float32Array {
    const data = this.inner.table(name, rows, cols, std);
    this.keep(name, [rows, cols], data);
    return data;
  }

  linearWeight(name: string, inSize: number, outSize: number, std: number): Float32Array {
    const data = this.inner.linearWeight(name, inSize, outSize, std);
    this.keep(`${name}.weight`, [outSize, inSize], transpose(data, inSize, outSize));
    return data;
  }

  linearBias(name: string, outSize: number): Float32Array {
    const data = this.inner.linearBias(name, outSize);
    this.keep(`${name}.bias`, [outSize], data);
    return data;
  }

  layerNorm(name: string, size: number): { gamma: Float32Array; beta: Float32Array } {
    const ln = this.inner.layerNorm(name, size);
    this.keep(`${name}.weight`, [size], ln.gamma);
    this.keep(`${name}.bias`, [size], ln.beta);
    return ln;
  }

  private keep(name: string, shape: number[], data: Float32Array): void {
    // BertForSequenceClassification: the encoder under `bert.`, the head (`classifier`) at the top.
    this.tensors.set(name.startsWith('classifier') ? name : `bert.${name}`, { shape, data });
  }
}

/** Where the checkpoint and sift's folder are, under `root`. */
export interface PeerModel {
  /** Hugging Face folder: config.json, model.safetensors, tokenizer.json, tokenizer_config.json. */
  checkpoint: string;
  /** sift's folder (`onnx/model.onnx`), made from the checkpoint by tools/model-gen's converter. */
  siftDir: string;
  /** The models root to hand sift (`modelsDir`), and the name under it. */
  modelsRoot: string;
  name: string;
}

/** Writes (once) the checkpoint and sift's ONNX folder made from it. */
export async function peerModel(root: string): Promise<PeerModel> {
  const name = 'sift-peers/ms-marco-MiniLM-L-6-v2-random';
  const checkpoint = join(root, 'checkpoints', name);
  const modelsRoot = join(root, 'models');
  const siftDir = join(modelsRoot, name);
  if (existsSync(join(checkpoint, 'model.safetensors')) && existsSync(join(siftDir, 'special_tokens_map.json'))) {
    return { checkpoint, siftDir, modelsRoot, name };
  }
  const tmp = `${checkpoint}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const weights = new RecordingWeights(CONFIG.seed);
  buildBertModel({ ...CONFIG, weights }); // fills `weights.tensors`
  await writeSafetensors(join(tmp, 'model.safetensors'), weights.tensors);
  await writeFile(
    join(tmp, 'config.json'),
    `${JSON.stringify({ ...hubConfig(CONFIG), torch_dtype: 'float32' }, null, 2)}\n`,
  );
  await copyFile(bertTokenizerPath(), join(tmp, 'tokenizer.json'));
  await writeFile(join(tmp, 'tokenizer_config.json'), `${JSON.stringify(BERT_TOKENIZER_CONFIG, null, 2)}\n`);
  const special = {
    cls_token: '[CLS]',
    mask_token: '[MASK]',
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    unk_token: '[UNK]',
  };
  await writeFile(join(tmp, 'special_tokens_map.json'), `${JSON.stringify(special, null, 2)}\n`);
  await rm(checkpoint, { recursive: true, force: true });
  await mkdir(dirname(checkpoint), { recursive: true });
  await rename(tmp, checkpoint);
  await convertBertCheckpoint(checkpoint, siftDir);
  return { checkpoint, siftDir, modelsRoot, name };
}
