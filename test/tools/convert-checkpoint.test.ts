import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { buildBertModel, type BertConfig } from '../../tools/model-gen/bert.js';
import {
  RandomBertWeights,
  transpose,
  type BertWeights,
  type NamedTensor,
} from '../../tools/model-gen/bert-weights.js';
import { convertBertCheckpoint } from '../../tools/model-gen/convert-checkpoint.js';
import { readSafetensors, writeSafetensors } from '../../tools/model-gen/safetensors.js';
import { hubConfig } from '../../tools/model-gen/write-model-folder.js';
import { wordPieceTokenizerJson } from '../../tools/model-gen/wordpiece-tokenizer.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { TEST_MODEL_CONFIGS } from '../support/test-models.js';

/** Random weights that also record every tensor as a PyTorch state dict would hold it ([out, in] Linear weights). */
class RecordingWeights implements BertWeights {
  readonly random = true;
  readonly stateDict = new Map<string, NamedTensor>();
  private readonly inner: RandomBertWeights;

  constructor(
    seed: number,
    private readonly prefix: (name: string) => string,
  ) {
    this.inner = new RandomBertWeights(seed);
  }

  table(name: string, rows: number, cols: number, std: number): Float32Array {
    const data = this.inner.table(name, rows, cols, std);
    this.put(name, [rows, cols], data);
    return data;
  }

  linearWeight(name: string, inSize: number, outSize: number, std: number): Float32Array {
    const w = this.inner.linearWeight(name, inSize, outSize, std);
    this.put(`${name}.weight`, [outSize, inSize], transpose(w, inSize, outSize));
    return w;
  }

  linearBias(name: string, outSize: number): Float32Array {
    // Non-zero biases and LayerNorm parameters, so a converter that ignored them would be caught.
    const data = Float32Array.from({ length: outSize }, (_, i) => ((i % 7) - 3) * 0.01);
    this.put(`${name}.bias`, [outSize], data);
    return data;
  }

  layerNorm(name: string, size: number): { gamma: Float32Array; beta: Float32Array } {
    const gamma = Float32Array.from({ length: size }, (_, i) => 1 + ((i % 5) - 2) * 0.05);
    const beta = Float32Array.from({ length: size }, (_, i) => ((i % 3) - 1) * 0.02);
    this.put(`${name}.weight`, [size], gamma);
    this.put(`${name}.bias`, [size], beta);
    return { gamma, beta };
  }

  private put(name: string, shape: number[], data: Float32Array): void {
    this.stateDict.set(this.prefix(name), { shape, data: Float32Array.from(data) });
  }
}

/** The tiny test models' shape (vocabulary 30522 as bert-base-uncased's, hidden 32, 2 layers). */
const small = TEST_MODEL_CONFIGS.embedder;

/** Writes a checkpoint folder (config.json, model.safetensors, tokenizer.json) holding `weights`' state dict. */
async function writeCheckpoint(
  dir: string,
  config: BertConfig,
  weights: RecordingWeights,
  extra: Record<string, unknown> = {},
): Promise<Buffer> {
  const reference = Buffer.from(buildBertModel({ ...config, weights }));
  await mkdir(dir, { recursive: true });
  // A real checkpoint also holds tensors the graph never reads; the converter reports them.
  weights.stateDict.set('embeddings.position_ids', { shape: [1, 2], data: new Float32Array(2) });
  await writeSafetensors(join(dir, 'model.safetensors'), weights.stateDict);
  const { sift_generated: _, ...hf } = hubConfig(config);
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...hf, ...extra }));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJson(config.vocabSize)));
  return reference;
}

test('a converted checkpoint is the graph its weights came from, byte for byte (bi-encoder and bert.-prefixed judge)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-convert-'));
  try {
    for (const [head, prefix] of [
      ['feature-extraction', (n: string) => n],
      ['sequence-classification', (n: string) => (n.startsWith('classifier') ? n : `bert.${n}`)],
    ] as const) {
      const config: BertConfig = { ...small, head };
      const weights = new RecordingWeights(small.seed, prefix);
      const reference = await writeCheckpoint(join(root, head), config, weights);
      const result = await convertBertCheckpoint(join(root, head), join(root, 'out', head));
      assert.equal(result.head, head);
      assert.ok(
        (await readFile(join(result.dir, 'onnx', 'model.onnx'))).equals(reference),
        `${head}: onnx/model.onnx differs from the source graph`,
      );
      assert.deepEqual(result.unused, ['embeddings.position_ids']);
      assert.match(result.sha256, /^[0-9a-f]{64}$/);
      const written = JSON.parse(await readFile(join(result.dir, 'config.json'), 'utf8'));
      assert.equal(written.sift_generated, undefined, 'a converted model is not marked random');
      assert.match(await readFile(join(result.dir, 'SOURCE.md'), 'utf8'), new RegExp(result.sha256));
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a converted judge loads in sift, and its q8 file scores close to fp32', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-convert-'));
  try {
    const config: BertConfig = TEST_MODEL_CONFIGS.reranker;
    await writeCheckpoint(join(root, 'ckpt'), config, new RecordingWeights(3, (n) => n));
    const { dir } = await convertBertCheckpoint(join(root, 'ckpt'), join(root, 'judge'));
    const passages = ['Berlin has 3.5 million people.', 'Paris is in France.', 'The population of Berlin grew.'];
    const scores: Record<string, number[]> = {};
    for (const dtype of ['fp32', 'q8'] as const) {
      const judge = new CrossEncoderReranker({ model: dir, dtype });
      scores[dtype] = Array.from((await judge.scorePairs('How many people live in Berlin?', passages)).logits);
      await judge.close();
    }
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model_quantized.onnx'));
    assert.deepEqual([...session.inputNames].sort(), ['attention_mask', 'input_ids', 'token_type_ids']);
    assert.deepEqual([...session.outputNames], ['logits']);
    await session.release();
    scores.fp32!.forEach((v, i) =>
      assert.ok(Math.abs(v - scores.q8![i]!) < 0.25, `pair ${i}: fp32 ${v} vs q8 ${scores.q8![i]}`),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('conversion refuses what the graph cannot express, naming the field or tensor', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-convert-'));
  try {
    const config: BertConfig = { ...small, head: 'feature-extraction' };
    const ckpt = join(root, 'ckpt');
    await writeCheckpoint(ckpt, config, new RecordingWeights(1, (n) => n));
    const refuse = async (extra: Record<string, unknown>, pattern: RegExp): Promise<void> => {
      await writeFile(join(ckpt, 'config.json'), JSON.stringify({ ...hubConfig(config), ...extra }));
      await assert.rejects(convertBertCheckpoint(ckpt, join(root, 'out')), pattern);
    };
    await refuse({ model_type: 'xlm-roberta' }, /model_type "xlm-roberta" is not supported/);
    await refuse({ position_embedding_type: 'relative_key' }, /position_embedding_type/);
    await refuse({ hidden_act: 'relu' }, /hidden_act "relu"/);
    await refuse(
      { hidden_size: 24 },
      /embeddings\.word_embeddings\.weight has shape \[30522, 32\], the config needs \[30522, 24\]/,
    );
    await refuse({ architectures: ['BertForSequenceClassification'], num_labels: 3 }, /3 labels/);
    await refuse(
      { architectures: ['BertForSequenceClassification'], num_labels: 1 },
      /no tensor pooler\.dense\.weight \(nor bert\.pooler\.dense\.weight\)/,
    );
    await rm(join(ckpt, 'model.safetensors'));
    await refuse({}, /has no model\.safetensors/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('safetensors: float16 and bfloat16 tensors read as float32; a truncated file is refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sift-safetensors-'));
  try {
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
      ids: { dtype: 'I64', shape: [1], data_offsets: [10, 18] },
    });
    const body = Buffer.alloc(18);
    [0x3c00, 0xc000, 0x3555].forEach((h, i) => body.writeUInt16LE(h, i * 2)); // 1, -2, ~1/3
    [0x3f80, 0x4049].forEach((b, i) => body.writeUInt16LE(b, 6 + i * 2)); // 1, ~3.14
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const path = join(root, 'a.safetensors');
    await writeFile(path, Buffer.concat([length, Buffer.from(header), body]));
    const tensors = await readSafetensors(path);
    assert.deepEqual([...tensors.keys()], ['h', 'b'], 'the integer buffer is skipped');
    assert.deepEqual(
      Array.from(tensors.get('h')!.data).map((x) => Number(x.toFixed(4))),
      [1, -2, 0.3333],
    );
    assert.deepEqual(
      Array.from(tensors.get('b')!.data).map((x) => Number(x.toFixed(4))),
      [1, 3.1406],
    );
    await writeFile(path, Buffer.concat([length, Buffer.from(header), body.subarray(0, 8)]));
    await assert.rejects(readSafetensors(path), /tensor b ends at byte \d+, past the end of the \d+-byte file/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
